// Sparkline: a series as one line of bars, a character a period, for `ks-shard describe` and
// `kv-get --describe` beside their counts.
//
// Bars ▁▂▃▄▅▆▇█ (ASCII: _.:-=+*#) from the lowest value, or 0 when none is below it, to the
// greatest; a bar's level is round((v - lowest)·7/(greatest - lowest)). A period without a
// value is a space: missing, as in CloudWatch, not zero (which is the lowest bar).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/canvas.h"
#include "metrics/chart_series.h"

namespace millrace::metrics {

// One character per value; `glyphs` ascii takes the ASCII bars, the others the block elements.
std::string sparkline(const std::vector<std::optional<double>>& values, Glyphs glyphs = Glyphs::braille);

// The values of `series` in `count` periods of `period_ms` from `start_ms`: each period the sum
// of the points that start in it (CloudWatch's Sum over the longer period), nullopt for a
// period without any.
std::vector<std::optional<double>> by_period(const ChartSeries& series, std::int64_t start_ms, std::int64_t period_ms,
                                             std::size_t count);

}  // namespace millrace::metrics
