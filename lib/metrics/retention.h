// Retention of the metrics: 15 days at one-minute resolution, as CloudWatch keeps its
// one-minute data points, trimmed in bounded steps by the writers that record metrics, as
// records are trimmed by the writers of a stream (store/records.h).
//
// A step walks the `metrics` database from where the last step stopped (the "~sweep" key,
// metrics/layout.h), wrapping around at its end: at a metric whose oldest minute has expired
// it removes that minute, and at one whose oldest minute is kept it skips the whole metric in
// one seek; a dimension value not recorded for 15 days goes too. Each key visited, or metric
// skipped, is one step; a step ends when its budget is spent or it has come round to where it
// began. The recorder gives a commit a budget of twice the points it writes, and at least
// kTrimFloor, until a step comes round; then, as points expire a minute at a time, not again
// before the next minute. Every metric gains at most one point a minute, so retention keeps up
// with any writer, and a quiet store catches up too.
#pragma once

#include <cstdint>

#include "lines/time.h"
#include "metrics/layout.h"
#include "store/env.h"

namespace millrace::metrics {

inline constexpr layout::Minute kRetentionMinutes = 15 * 24 * 60;
inline constexpr std::uint64_t kTrimFloor = 64;

// The first minute kept at `now`: points of earlier minutes have expired, and are neither read
// nor kept.
layout::Minute first_kept_minute(lines::EpochMs now);

// One bounded step of retention at `now`, of at most `budget` steps, in a write transaction.
struct Trimmed {
  std::uint64_t removed = 0;  // keys
  bool came_round = false;    // the step visited every key: nothing expired at `now` is left
};
Trimmed trim_step(const store::Txn& txn, lines::EpochMs now, std::uint64_t budget);

}  // namespace millrace::metrics
