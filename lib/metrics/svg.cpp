#include "metrics/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "lines/xml.h"
#include "metrics/time_axis.h"
#include "metrics/units.h"

namespace millrace::metrics {
namespace {

// Tableau's ten colours, as matplotlib draws series: distinct, and legible on white.
constexpr std::array<const char*, 10> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr int kMinWidth = 200, kMinHeight = 120;
// Room for the value labels on the left, the time labels below, a title above, in pixels of a
// 12-pixel sans-serif font; a legend line is 18 pixels, a time label about 40 wide.
constexpr double kLeft = 72, kRight = 24, kTop = 16, kTitle = 24, kBottom = 28, kLegendLine = 18;
constexpr double kPixelsPerValueTick = 40, kPixelsPerTimeTick = 80;
// A dashboard's panels: at least this wide, this far apart.
constexpr double kMinSvgPanelWidth = 360, kPanelGap = 16;

std::string coordinate(double pixels) { return fmt::format("{:.2f}", pixels); }

// Appends the chart's elements, drawn from (0, 0) in a `width` by `height` viewport; returns the
// height it takes (more than `height` when the legend leaves too little room for the plot).
double append_chart(std::string& svg, const std::vector<ChartSeries>& series, const SvgOptions& options,
                    double width, double height) {
  TimeRange range = time_range(series, options.start_ms, options.end_ms);
  std::optional<ValueRange> values = value_range(series, range);
  bool same_unit = std::all_of(series.begin(), series.end(), [&](const ChartSeries& one) { return one.unit == series[0].unit; });
  std::string unit = series.empty() || !same_unit ? "" : series[0].unit;

  double top = kTop + (options.title.empty() ? 0 : kTitle);
  // A legend, as on the terminal, unless a title says what the only series is.
  bool legend = !series.empty() && (series.size() > 1 || options.title.empty());
  double legend_height = legend ? kLegendLine * static_cast<double>(series.size()) : 0;
  double plot_x = kLeft, plot_y = top, plot_width = width - kLeft - kRight;
  double plot_height = std::max(20.0, height - top - kBottom - legend_height);
  double total_height = plot_y + plot_height + kBottom + legend_height;

  ValueAxis value = value_axis(values ? values->min : 0, values ? values->max : 0,
                               static_cast<int>(plot_height / kPixelsPerValueTick) + 1, unit);
  auto x_of = [&](std::int64_t time_ms) {
    return plot_x + static_cast<double>(time_ms - range.start_ms) * plot_width / static_cast<double>(range.end_ms - range.start_ms);
  };
  auto y_of = [&](double v) { return plot_y + (value.high - v) * plot_height / (value.high - value.low); };

  if (!options.title.empty())
    svg += fmt::format("<title>{0}</title>\n<text x=\"{1}\" y=\"{2}\" font-size=\"14\" font-weight=\"bold\">{0}</text>\n",
                       lines::xml_escape(options.title), coordinate(plot_x), coordinate(kTop + 12));
  svg += fmt::format("<rect class=\"plot\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n",
                     coordinate(plot_x), coordinate(plot_y), coordinate(plot_width), coordinate(plot_height));

  svg += "<g class=\"value-axis\" text-anchor=\"end\">\n";
  for (std::size_t k = 0; k < value.ticks.size(); ++k) {
    std::string y = coordinate(y_of(value.ticks[k]));
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#ddd\"/>"
                       "<text x=\"{3}\" y=\"{1}\" dy=\"4\">{4}</text>\n",
                       coordinate(plot_x), y, coordinate(plot_x + plot_width), coordinate(plot_x - 6), lines::xml_escape(value.labels[k]));
  }
  svg += "</g>\n<g class=\"time-axis\" text-anchor=\"middle\">\n";
  TimeAxis time = time_axis(range.start_ms, range.end_ms, static_cast<int>(plot_width / kPixelsPerTimeTick),
                            options.utc_offset_minutes);
  double axis_y = plot_y + plot_height;
  for (std::size_t k = 0; k < time.ticks.size(); ++k) {
    std::string x = coordinate(x_of(time.ticks[k]));
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888\"/>"
                       "<text x=\"{0}\" y=\"{3}\">{4}</text>\n",
                       x, coordinate(axis_y), coordinate(axis_y + 5), coordinate(axis_y + 18), lines::xml_escape(time.labels[k]));
  }
  svg += "</g>\n";
  if (!values)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
                       coordinate(plot_x + plot_width / 2), coordinate(plot_y + plot_height / 2));

  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* colour = kPalette[i % kPalette.size()];
    for (std::span<const ChartPoint> run : runs_of(series[i], range)) {
      if (run.size() == 1) {
        svg += fmt::format("<circle class=\"series\" data-series=\"{}\" cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{}\"/>\n", i,
                           coordinate(x_of(run[0].time_ms)), coordinate(y_of(run[0].value)), colour);
        continue;
      }
      std::string points;
      for (const ChartPoint& point : run)
        points += fmt::format("{}{},{}", points.empty() ? "" : " ", coordinate(x_of(point.time_ms)), coordinate(y_of(point.value)));
      svg += fmt::format(
          "<polyline class=\"series\" data-series=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
          "stroke-linejoin=\"round\" points=\"{}\"/>\n",
          i, colour, points);
    }
  }

  svg += "<g class=\"legend\">\n";
  for (std::size_t i = 0; legend && i < series.size(); ++i) {
    double y = axis_y + kBottom + kLegendLine * static_cast<double>(i) + 12;
    std::string label = series[i].label;
    if (!same_unit && !series[i].unit.empty()) label += fmt::format(" ({})", series[i].unit);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"3\"/>"
                       "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
                       coordinate(plot_x), coordinate(y - 4), coordinate(plot_x + 20), kPalette[i % kPalette.size()],
                       coordinate(plot_x + 26), coordinate(y), lines::xml_escape(label));
  }
  svg += "</g>\n";
  return total_height;
}

std::string document_head(double width, double height) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      coordinate(width), coordinate(height));
}

}  // namespace

std::string render_svg(const std::vector<ChartSeries>& series, const SvgOptions& options) {
  const double width = std::max(options.width, kMinWidth), height = std::max(options.height, kMinHeight);
  std::string chart;
  double total_height = append_chart(chart, series, options, width, height);
  return document_head(width, total_height) + chart + "</svg>\n";
}

std::string render_svg_dashboard(const std::vector<Panel>& panels, const SvgOptions& options) {
  const double width = std::max(options.width, kMinWidth), height = std::max(options.height, kMinHeight);
  int count = std::max(1, static_cast<int>(panels.size()));
  int columns = std::clamp(static_cast<int>((width + kPanelGap) / (kMinSvgPanelWidth + kPanelGap)), 1, count);
  double panel_width = std::floor((width - kPanelGap * (columns - 1)) / columns);  // whole pixels

  // One time range for every panel, as the terminal's dashboard.
  std::vector<ChartSeries> all;
  for (const Panel& panel : panels) all.insert(all.end(), panel.series.begin(), panel.series.end());
  TimeRange range = time_range(all, options.start_ms, options.end_ms);
  SvgOptions chart = options;
  chart.start_ms = range.start_ms;
  chart.end_ms = range.end_ms;

  std::string body;
  double y = 0;
  for (std::size_t first = 0; first < panels.size(); first += static_cast<std::size_t>(columns)) {
    double row_height = height;
    for (std::size_t i = first; i < std::min(panels.size(), first + static_cast<std::size_t>(columns)); ++i) {
      chart.title = panels[i].title;
      std::string panel;
      double panel_height = append_chart(panel, panels[i].series, chart, panel_width, height);
      row_height = std::max(row_height, panel_height);
      double x = static_cast<double>(i - first) * (panel_width + kPanelGap);
      body += fmt::format("<svg class=\"panel\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">\n{}</svg>\n", coordinate(x),
                          coordinate(y), coordinate(panel_width), coordinate(panel_height), panel);
    }
    y += row_height + kPanelGap;
  }
  double total_height = std::max<double>(kMinHeight, y - (panels.empty() ? 0 : kPanelGap));
  return document_head(width, total_height) + body + "</svg>\n";
}

}  // namespace millrace::metrics
