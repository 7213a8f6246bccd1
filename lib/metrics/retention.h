// Retention of the metrics: 15 days at one-minute resolution, as CloudWatch keeps its
// one-minute data points, trimmed in bounded steps by the writers that record metrics, as
// records are trimmed by the writers of a stream (store/records.h).
//
// A pass walks the `metrics` database from its first key to its last, a step at a time, each
// step going on from where the last one stopped (the "~sweep" key, metrics/layout.h): at a
// metric whose oldest minute has expired it removes that minute, and at one whose oldest
// minute is kept it skips the whole metric in one seek; a dimension value not recorded for 15
// days goes too. Each key visited, or metric skipped, is one step; a step ends when its budget
// is spent or at the database's end, where the pass has come round and the next begins at the
// first key again. The recorder gives a commit a budget of twice the points it writes, and at
// least kTrimFloor, until a pass comes round; then, as points expire a minute at a time, not
// again before the next minute: a store of many metrics costs its writers one pass a minute,
// spread over their commits, not a step at every commit. Every metric gains at most one point
// a minute, so retention keeps up with any writer, and a quiet store catches up too.
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
  bool came_round = false;    // the step ended a pass: every key was visited since the last one did
};
Trimmed trim_step(const store::Txn& txn, lines::EpochMs now, std::uint64_t budget);

}  // namespace millrace::metrics
