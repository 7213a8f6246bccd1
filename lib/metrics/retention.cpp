#include "metrics/retention.h"

#include <string>

#include "store/codec.h"

namespace millrace::metrics {

layout::Minute first_kept_minute(lines::EpochMs now) {
  layout::Minute minute = layout::minute_of(now);
  return minute > kRetentionMinutes ? minute - kRetentionMinutes : 0;
}

Trimmed trim_step(const store::Txn& txn, lines::EpochMs now, std::uint64_t budget) {
  MDB_dbi dbi = txn.dbs().metrics;
  layout::Minute first_kept = first_kept_minute(now);
  std::string start(txn.get(dbi, layout::kSweepKey).value_or(""));
  store::Cursor cursor(txn, dbi);
  std::uint64_t removed = 0, steps = 0;
  bool came_round = false;
  bool ok = cursor.seek(start);
  std::string past;
  store::Cursor points(txn, dbi);
  while (steps < budget) {
    if (!ok || cursor.key() == layout::kSweepKey) {  // the end (the sweep key sorts last)
      ok = false;
      came_round = true;
      break;
    }
    std::string_view key = cursor.key();
    ++steps;
    if (layout::is_point(key)) {
      if (layout::point_minute(key) < first_kept) {
        cursor.del();
        ++removed;
        ok = cursor.next();
      } else {
        past = layout::past_series(layout::point_series(key));
        ok = cursor.seek(past);
      }
    } else if (layout::is_value(key)) {
      if (store::Decoder(cursor.value(), "metric dimension value").u32() < first_kept) {
        cursor.del();
        ++removed;
        ok = cursor.next();
      } else {
        ok = cursor.next();
      }
    } else if (layout::is_total(key)) {
      // A total goes with the last point of its series: a metric idle for the whole retention
      // starts again from zero, as an exporter's counters after a restart.
      std::string series = layout::total_series(key);
      if (!points.seek(series) || !points.key().starts_with(series)) {
        cursor.del();
        ++removed;
      }
      ok = cursor.next();
    } else {
      ok = cursor.next();
    }
  }
  std::string next = ok && cursor.key() != layout::kSweepKey ? std::string(cursor.key()) : std::string();
  if (next != start) txn.put(dbi, layout::kSweepKey, next);
  return {removed, came_round};
}

}  // namespace millrace::metrics
