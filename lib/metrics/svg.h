// Svg: a chart as a standalone SVG document, for a browser or a report (`cw-stats --svg FILE`).
//
// The same chart as the terminal's (chart.h): the same time range, value axis (units.h) and
// time ticks (time_axis.h), with grid lines, the axes' labels, a title and a legend (left out,
// as on the terminal, when a title names the only series). The plot area is <rect class="plot"
// x y width height>; each contiguous run of a series (CloudWatch's gaps break it) is one
// <polyline class="series" data-series="INDEX">, a lone point a <circle>. A point (t, v) is at
// x = plot.x + (t - t0)·plot.width/(t1 - t0), y = plot.y + (high - v)·plot.height/(high - low),
// to a hundredth of a pixel. Text is XML-escaped; characters XML cannot hold (controls) are
// dropped.
//
// A dashboard (dashboard.h's panels) is one document of such charts in a grid, each panel a
// nested <svg class="panel" x y width height> in whose coordinates its chart is drawn as above.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/chart_series.h"
#include "metrics/dashboard.h"

namespace millrace::metrics {

struct SvgOptions {
  int width = 800;   // pixels
  int height = 400;  // pixels
  int utc_offset_minutes = 0;
  std::optional<std::int64_t> start_ms, end_ms;
  std::string title;
};

// The document, from <?xml to </svg>. Sizes below 200x120 pixels are taken as 200x120.
std::string render_svg(const std::vector<ChartSeries>& series, const SvgOptions& options);

// The document of a dashboard: panels left to right, then down, as many across as fit at 360
// pixels each in `options.width`, 16 pixels apart, each `options.height` pixels high (or more,
// for a long legend), each with its title; one time range for all, the union of the panels'
// unless given.
std::string render_svg_dashboard(const std::vector<Panel>& panels, const SvgOptions& options);

}  // namespace millrace::metrics
