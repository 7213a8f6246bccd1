// Dashboard: small multiples, several charts in a grid that fills a terminal
// (`cw-stats --dashboard`: each stream's incoming records, each group's iterator age, each
// function's errors and duration).
//
// Panels go left to right, then down, in as many columns as fit at kMinPanelWidth columns each
// (and no more than there are panels), a column of space between two. The rows share the
// height; when a panel would get fewer than kMinPanelHeight rows, panels keep that height and
// the dashboard is taller than asked (a terminal scrolls; a panel too small to read helps no
// one). Every panel shows the same time range, the union of all the panels' unless given, so
// that the charts line up in time.
#pragma once

#include <string>
#include <vector>

#include "metrics/chart.h"

namespace millrace::metrics {

struct Panel {
  std::string title;
  std::vector<ChartSeries> series;
};

inline constexpr int kMinPanelWidth = 36;
inline constexpr int kMinPanelHeight = 8;

// The dashboard's lines, each `options.width` columns wide. `options` gives the size of the
// whole (at least kMinChartWidth by kMinPanelHeight), the glyphs, colour, clock and time range;
// its title is ignored (each panel has its own). Throws std::invalid_argument as render_chart.
std::vector<std::string> render_dashboard(const std::vector<Panel>& panels, const ChartOptions& options);

}  // namespace millrace::metrics
