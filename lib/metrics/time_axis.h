// TimeAxis: the ticks and labels of a chart's time axis.
//
// Ticks fall on round times of the clock the chart is read in (UTC unless an offset is given):
// every 1, 2, 5, 10, 15 or 30 seconds or minutes, 1, 2, 3, 6 or 12 hours, 1, 2 or 7 days. Each
// is labelled HH:MM (HH:MM:SS under a minute); a tick at midnight, when the range passes one,
// and every tick a day or more apart, are labelled with the date, MM-DD.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace millrace::metrics {

struct TimeAxis {
  std::int64_t step_ms = 0;
  std::vector<std::int64_t> ticks;  // epoch ms, in [start, end]
  std::vector<std::string> labels;  // one per tick
};

// The axis of [start_ms, end_ms] with the smallest step that needs no more than `max_ticks`
// ticks (at least 1). `utc_offset_minutes`: the reader's clock, east of UTC.
TimeAxis time_axis(std::int64_t start_ms, std::int64_t end_ms, int max_ticks, int utc_offset_minutes);

}  // namespace millrace::metrics
