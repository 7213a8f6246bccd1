#include "metrics/query.h"

#include <algorithm>

#include "metrics/layout.h"
#include "metrics/retention.h"

namespace millrace::metrics {

bool Selector::matches(const MetricId& id) const {
  if (!ns.empty() && id.ns != ns) return false;
  if (!name.empty() && id.name != name) return false;
  for (const Wanted& wanted : dimensions) {
    const std::string* value = id.dimension(wanted.name);
    if (value == nullptr || (wanted.value && *value != *wanted.value)) return false;
  }
  if (only_these)
    for (const Dimension& d : id.dimensions)
      if (std::none_of(dimensions.begin(), dimensions.end(), [&](const Wanted& w) { return w.name == d.name; })) return false;
  return true;
}

std::vector<ListedMetric> list_metrics(const store::Txn& txn, const Selector& selector, lines::EpochMs now) {
  std::vector<ListedMetric> found;
  layout::Minute first_kept = first_kept_minute(now);
  std::string prefix = selector.ns.empty() ? layout::namespace_prefix("")
                       : selector.name.empty() ? layout::namespace_prefix(selector.ns)
                                               : layout::name_prefix(selector.ns, selector.name);
  store::Cursor cursor(txn, txn.dbs().metrics);
  store::Cursor last(txn, txn.dbs().metrics);
  for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix);) {
    std::string series(layout::point_series(cursor.key()));
    std::string past = layout::past_series(series);
    MetricId id = layout::decode_series(series);
    if (selector.matches(id)) {
      // The series' latest point: the one before the first key past it.
      bool at_last = last.seek(past) ? last.prev() : last.last();
      if (at_last && last.key().starts_with(series) && layout::point_minute(last.key()) >= first_kept)
        found.push_back({std::move(id), layout::decode_point(last.value()).unit});
    }
    ok = cursor.seek(past);
  }
  return found;
}

std::vector<std::pair<lines::EpochMs, StatisticSet>> read_periods(const store::Txn& txn, const MetricId& id,
                                                                  const Range& range, lines::EpochMs now) {
  std::vector<std::pair<lines::EpochMs, StatisticSet>> periods;
  if (id.problem() || range.period_ms <= 0) return periods;
  std::string prefix = layout::series_prefix(id);
  std::string key = prefix;
  layout::append_minute(key, std::max(layout::minute_of(range.start), first_kept_minute(now)));
  store::Cursor cursor(txn, txn.dbs().metrics);
  for (bool ok = cursor.seek(key); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    lines::EpochMs at = layout::start_of(layout::point_minute(cursor.key()));
    if (at >= range.end) break;
    if (at < range.start) continue;  // a minute begun before the range
    lines::EpochMs period = at - at % range.period_ms;
    if (periods.empty() || periods.back().first != period) periods.push_back({period, {}});
    periods.back().second.merge(layout::decode_point(cursor.value()).set);
  }
  return periods;
}

StatisticSet read_total(const store::Txn& txn, const MetricId& id) {
  if (id.problem()) return {};
  auto stored = txn.get(txn.dbs().metrics, layout::total_key(layout::series_prefix(id)));
  return stored ? layout::decode_point(*stored).set : StatisticSet{};
}

std::vector<Datapoint> read_series(const store::Txn& txn, const MetricId& id, Statistic statistic, const Range& range,
                                   lines::EpochMs now) {
  std::vector<Datapoint> points;
  for (const auto& [start, set] : read_periods(txn, id, range, now)) points.push_back({start, value_of(set, statistic)});
  return points;
}

}  // namespace millrace::metrics
