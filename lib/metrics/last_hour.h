// LastHour: the last hour of a few metrics, as `ks-shard describe` and `kv-get --describe` show
// them on a terminal beside their counts: a sparkline of each metric's Sum a minute (a bar for
// several minutes when the terminal is too narrow for 60), then the hour's total and its
// largest bar:
//
//   incoming records, the last hour, a bar a minute from 09:43 to 10:42 UTC:
//     rides                 ▁▁▂▃▅▇█▇▅▃▂▁       1200 in the hour, at most 120 a minute
//     shardId-000000000000   ▁▂▃▅▇█▇▅▃▂         600 in the hour, at most 60 a minute
//
// The hour ends with the minute under way (its samples so far). A metric without a sample in the
// hour shows "none in the hour"; a minute without one is a space, as CloudWatch's missing data.
// Only on a terminal: scripts read the counts with --json and the series with cw-stats.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "metrics/canvas.h"
#include "metrics/metric.h"
#include "store/env.h"

namespace millrace::metrics {

inline constexpr int kHourMinutes = 60;

// The Sum of `id` in each of the 60 / `minutes_per_bar` periods of `minutes_per_bar` minutes
// that end with the minute of `now`, oldest first; nullopt for a period without a sample.
// REQUIRES: minutes_per_bar divides 60.
std::vector<std::optional<double>> last_hour(const store::Txn& txn, const MetricId& id, lines::EpochMs now,
                                             int minutes_per_bar);

struct HourRow {
  std::string label;  // printable: a name from the store
  MetricId id;
};

// The block above: `title`, then a line per row, at `now`, within `columns` columns where that
// can be (at 15 minutes a bar, a longer line is cut by the terminal), drawn in `glyphs`.
std::string last_hour_block(const store::Txn& txn, std::string_view title, const std::vector<HourRow>& rows,
                            lines::EpochMs now, int columns, Glyphs glyphs);

// The glyphs of a sparkline on the terminal: block elements where the locale's characters are
// UTF-8 (LC_ALL, else LC_CTYPE, else LANG names it), ASCII otherwise.
Glyphs sparkline_glyphs();

}  // namespace millrace::metrics
