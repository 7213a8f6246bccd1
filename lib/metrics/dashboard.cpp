#include "metrics/dashboard.h"

#include <algorithm>

namespace millrace::metrics {

std::vector<std::string> render_dashboard(const std::vector<Panel>& panels, const ChartOptions& options) {
  if (panels.empty()) return {};
  int count = static_cast<int>(panels.size());
  int columns = std::clamp((options.width + 1) / (kMinPanelWidth + 1), 1, count);
  int rows = (count + columns - 1) / columns;
  int panel_width = (options.width - (columns - 1)) / columns;
  int panel_height = std::max(kMinPanelHeight, options.height / rows);

  // One time range for every panel.
  std::vector<ChartSeries> all;
  for (const Panel& panel : panels) all.insert(all.end(), panel.series.begin(), panel.series.end());
  TimeRange range = time_range(all, options.start_ms, options.end_ms);

  std::vector<std::string> lines;
  for (int row = 0; row < rows; ++row) {
    std::vector<std::string> band(static_cast<std::size_t>(panel_height));
    for (int column = 0; column < columns; ++column) {
      int index = row * columns + column;
      ChartOptions chart = options;
      chart.width = panel_width;
      chart.height = panel_height;
      chart.start_ms = range.start_ms;
      chart.end_ms = range.end_ms;
      std::vector<std::string> drawn;
      if (index < count) {
        chart.title = panels[static_cast<std::size_t>(index)].title;
        drawn = render_chart(panels[static_cast<std::size_t>(index)].series, chart);
      } else {
        drawn.assign(static_cast<std::size_t>(panel_height), std::string(static_cast<std::size_t>(panel_width), ' '));
      }
      for (std::size_t r = 0; r < band.size(); ++r) band[r] += (column > 0 ? " " : "") + drawn[r];
    }
    // The columns' widths may leave a few columns over on the right.
    int used = columns * panel_width + (columns - 1);
    for (std::string& line : band) lines.push_back(line + std::string(static_cast<std::size_t>(options.width - used), ' '));
  }
  return lines;
}

}  // namespace millrace::metrics
