#include "metrics/recorder.h"

#include "cli/diagnostics.h"
#include "metrics/dimension_values.h"
#include "metrics/retention.h"

namespace millrace::metrics {

Recorder::Series Recorder::series(const MetricId& id, Unit unit) {
  std::optional<std::string> problem = id.problem();
  std::string prefix = problem ? std::string() : layout::series_prefix(id);
  if (!problem && prefix.size() + layout::kMinuteBytes > layout::kMaxKeyBytes)
    problem = "its key would pass LMDB's 511 bytes";
  if (problem) {
    cli::warn("metrics", "{} {}: not recorded: {}", id.ns, id.label(), *problem);
    return kNotRecorded;
  }
  auto [it, added] = by_prefix_.try_emplace(prefix, static_cast<Series>(series_.size()));
  if (added) series_.push_back({id, layout::total_key(prefix), std::move(prefix), value_keys(id), unit});
  return it->second;
}

StatisticSet& Recorder::add_entry(Series series, layout::Minute minute) {
  // Times go forward, so a metric's entry of an earlier minute is rare: it is looked for.
  for (Entry& entry : entries_)
    if (entry.series == series && entry.minute == minute) return entry.set;
  Info& info = series_[series];
  bool has_latest = info.latest < entries_.size() && entries_[info.latest].series == series;
  if (!has_latest || entries_[info.latest].minute < minute) info.latest = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back({series, minute, {}});
  return entries_.back().set;
}

void Recorder::move_to(Recorder& into) {
  for (const Entry& entry : entries_) {
    const Info& info = series_[entry.series];
    into.add_entry(into.series(info.id, info.unit), entry.minute).merge(entry.set);
  }
  entries_.clear();
}

void Recorder::begin() {
  if (in_commit_) {
    entries_ = before_;  // the body runs again: what its earlier run added goes
  } else {
    before_ = entries_;
    in_commit_ = true;
  }
}

void Recorder::committed() {
  entries_.clear();
  in_commit_ = false;
  if (trimming_ != UINT32_MAX) trimmed_ = trimming_;
}

void Recorder::rollback() {
  if (in_commit_) entries_ = before_;
  in_commit_ = false;
}

bool Recorder::admitted(const store::Txn& txn, Info& info) {
  if (info.admission != Admission::unknown) return info.admission == Admission::admitted;
  // A metric the store has is known; a new one is checked against the bound on its values.
  store::Cursor cursor(txn, txn.dbs().metrics);
  std::optional<std::string> refused;
  if (!(cursor.seek(info.prefix) && cursor.key().starts_with(info.prefix))) refused = admit(txn, info.id);
  if (refused) cli::warn("metrics", "{} {}: not recorded: {}", info.id.ns, info.id.label(), *refused);
  info.admission = refused ? Admission::refused : Admission::admitted;
  return !refused;
}

void Recorder::add_to_total(const store::Txn& txn, const Info& info, const StatisticSet& set) {
  MDB_dbi dbi = txn.dbs().metrics;
  layout::Point total{info.unit, set};
  if (std::optional<std::string_view> stored = txn.get(dbi, info.total_key)) total.set.merge(layout::decode_point(*stored).set);
  layout::encode_point(txn.reserve(dbi, info.total_key, layout::kPointBytes), total);
}

void Recorder::flush(const store::Txn& txn, lines::EpochMs now) {
  MDB_dbi dbi = txn.dbs().metrics;
  layout::Minute first_kept = first_kept_minute(now);
  std::uint64_t written = 0;
  for (const Entry& entry : entries_) {
    Info& info = series_[entry.series];
    if (entry.minute < first_kept || !admitted(txn, info)) continue;
    key_.assign(info.prefix);
    layout::append_minute(key_, entry.minute);
    layout::Point point{info.unit, entry.set};
    if (std::optional<std::string_view> stored = txn.get(dbi, key_)) {
      layout::Point before = layout::decode_point(*stored);
      point.set.merge(before.set);
    } else if (!info.value_keys.empty()) {
      touch(txn, info.value_keys, entry.minute);
    }
    layout::encode_point(txn.reserve(dbi, key_, layout::kPointBytes), point);
    add_to_total(txn, info, entry.set);
    ++written;
  }
  // Points expire a minute at a time: once a pass has come round, none is due before the next.
  trimming_ = UINT32_MAX;
  layout::Minute minute = layout::minute_of(now);
  if (minute != trimmed_ && trim_step(txn, now, std::max(kTrimFloor, 2 * written)).came_round) trimming_ = minute;
}

}  // namespace millrace::metrics
