// chart_render — lib/metrics's renderers driven from outside: the SVG test's producer
// (tests/cli/test_chart_svg.sh parses its output as XML), and a way to look at a chart before
// cw-stats draws one. A test-only program; nothing installs it.
//
// chart_render [--svg] [--dashboard] [--width N] [--height N] [--glyphs braille|blocks|ascii]
//              [--colour] [--title TEXT] [--utc-offset MINUTES] < SERIES.json
//   SERIES.json: {"series":[{"label":"rides","unit":"Count","period_ms":60000,
//                            "points":[[EPOCH_MS, VALUE or null], ...]}, ...]}
//   With --dashboard, each series is a panel titled by its label.
//   Writes the chart (cells, or pixels with --svg) to stdout.
//
// Exit status: 0, 64 bad usage, 65 bad input.
#include <fmt/format.h>
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "metrics/chart.h"
#include "metrics/dashboard.h"
#include "metrics/svg.h"

using namespace millrace::metrics;

namespace {

std::vector<ChartSeries> read_series(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(text);
  std::vector<ChartSeries> all;
  for (simdjson::dom::element one : root["series"].get_array()) {
    ChartSeries series;
    series.label = std::string(std::string_view(one["label"]));
    series.unit = std::string(std::string_view(one["unit"]));
    if (auto period = one["period_ms"].get_int64(); !period.error()) series.period_ms = period.value();
    for (simdjson::dom::element point : one["points"].get_array()) {
      simdjson::dom::array pair = point.get_array();
      double value = pair.at(1).is_null() ? NAN : double(pair.at(1));
      series.points.push_back({int64_t(pair.at(0)), value});
    }
    all.push_back(std::move(series));
  }
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chart_render: draw the series on stdin as a terminal chart or an SVG document"};
  bool svg = false, dashboard = false, colour = false;
  int width = 0, height = 0, offset = 0;
  std::string glyphs = "braille", title;
  app.add_flag("--svg", svg, "an SVG document, sized in pixels");
  app.add_flag("--dashboard", dashboard, "a panel per series");
  app.add_option("--width", width, "columns, or pixels");
  app.add_option("--height", height, "rows, or pixels");
  app.add_option("--glyphs", glyphs)->check(CLI::IsMember({"braille", "blocks", "ascii"}));
  app.add_flag("--colour", colour, "ANSI colours");
  app.add_option("--title", title);
  app.add_option("--utc-offset", offset, "minutes east of UTC");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }
  std::vector<ChartSeries> series;
  try {
    series = read_series(std::string(std::istreambuf_iterator<char>(std::cin), {}));
  } catch (const simdjson::simdjson_error& e) {
    fmt::print(stderr, "chart_render: stdin: {}\n", e.what());
    return 65;
  }
  if (svg) {
    SvgOptions options;
    if (width > 0) options.width = width;
    if (height > 0) options.height = height;
    options.title = title;
    options.utc_offset_minutes = offset;
    fmt::print("{}", render_svg(series, options));
    return 0;
  }
  ChartOptions options;
  if (width > 0) options.width = width;
  if (height > 0) options.height = height;
  options.glyphs = glyphs == "ascii" ? Glyphs::ascii : glyphs == "blocks" ? Glyphs::blocks : Glyphs::braille;
  options.colour = colour;
  options.title = title;
  options.utc_offset_minutes = offset;
  try {
    if (dashboard) {
      std::vector<Panel> panels;
      for (ChartSeries& one : series) panels.push_back({one.label, {one}});
      fmt::print("{}", chart_text(render_dashboard(panels, options)));
    } else {
      fmt::print("{}", chart_text(render_chart(series, options)));
    }
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "chart_render: {}\n", e.what());
    return 64;
  }
  return 0;
}
