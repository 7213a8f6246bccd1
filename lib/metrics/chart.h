// Chart: one or several time series drawn in a terminal, in a given number of columns and rows.
//
//   requests                        the title, when given
//   1.5k┤     ⡠⠊⠉⠢⡀                 the plot: dots (canvas.h), a series a colour
//     1k┤  ⢀⠔⠁    ⠈⠢⣀  ⣀⠤           the value axis: nice ticks in the series' unit (units.h)
//    500┤⡠⠊          ⠉              a gap where a period has no point (CloudWatch: missing)
//      0└┬─────┬─────┬─────         the time axis, ticks on round times (time_axis.h)
//      10:00 10:05 10:10            HH:MM, dates where the range passes midnight
//       ━━ rides   ━━ taxis         the legend: with several series, or without a title
//
// Where a point is drawn: with t0..t1 the time range and low..high the value axis, a point
// (t, v) is the dot at x = round((t - t0)·(X - 1)/(t1 - t0)), y = round((high - v)·(Y - 1)/(high -
// low)), X and Y the plot's dots across and down; successive points of a run are joined by a
// straight line of dots, a lone point is one dot. Every line of the result is exactly `width`
// columns wide (colour escapes aside), so charts can stand side by side (dashboard.h).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "metrics/canvas.h"
#include "metrics/chart_series.h"

namespace millrace::metrics {

struct ChartOptions {
  int width = 80;   // columns of the whole chart, axes and legend included
  int height = 20;  // rows of the whole chart, title, axes and legend included
  Glyphs glyphs = Glyphs::braille;
  bool colour = false;          // ANSI colours: a series each, in the legend too
  int utc_offset_minutes = 0;   // the clock of the time axis: UTC unless told
  std::optional<std::int64_t> start_ms, end_ms;  // the time range; default: the data's
  std::string title;            // the first row, when not empty
};

// The smallest chart drawn: a row of plot, its two axis rows and a title; a few columns of plot
// beside the value labels.
inline constexpr int kMinChartWidth = 8;
inline constexpr int kMinChartHeight = 4;

// The chart's lines, without newlines. The legend is left out when it does not leave at least
// two rows of plot. Throws std::invalid_argument when `width` or `height` is below the minimum
// (a caller sizing to a terminal says so first, as a usage error).
std::vector<std::string> render_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// The same lines, each ended by a newline.
std::string chart_text(const std::vector<std::string>& lines);

// The ANSI escape that starts series `index`'s colour, and the one that ends it.
std::string colour_on(int index);
inline constexpr const char* kColourOff = "\x1b[0m";

}  // namespace millrace::metrics
