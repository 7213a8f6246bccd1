#include "metrics/svg.h"

#include "lines/xml.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>
#include <string>

using namespace millrace::metrics;

namespace {
std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}
}  // namespace

TEST_CASE("text in an SVG is escaped, and characters XML cannot hold are dropped") {
  CHECK(millrace::lines::xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(millrace::lines::xml_escape("x\x01y\tz\r") == "xy\tz&#13;");
  SvgOptions options;
  options.title = "</svg><script>";
  std::string svg = render_svg({ChartSeries{"a&b", "Count", {{0, 1}}}, ChartSeries{"c", "Count", {{0, 2}}}}, options);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("&lt;/svg&gt;&lt;script&gt;") != std::string::npos);
  CHECK(svg.find(">a&amp;b</text>") != std::string::npos);
}

TEST_CASE("an SVG chart has a legend, as the terminal's, unless its title names its only series") {
  ChartSeries rides{"rides", "Count", {{0, 1}, {60'000, 2}}};
  ChartSeries taxis{"taxis", "Count", {{0, 3}, {60'000, 1}}};
  SvgOptions titled;
  titled.title = "incoming records";
  CHECK(occurrences(render_svg({rides}, {}), ">rides</text>") == 1);
  CHECK(occurrences(render_svg({rides}, titled), ">rides</text>") == 0);
  std::string both = render_svg({rides, taxis}, titled);
  CHECK(occurrences(both, ">rides</text>") == 1);
  CHECK(occurrences(both, ">taxis</text>") == 1);
}

TEST_CASE("an SVG dashboard is a grid of panels, each a chart in its own coordinates, on one time range") {
  std::vector<Panel> panels;
  for (const char* name : {"a", "b", "c", "d"})
    panels.push_back({name, {ChartSeries{name, "Count", {{0, 1}, {60'000, 2}}}}});
  panels[3].series[0].points = {{600'000, 5}, {660'000, 6}};
  SvgOptions options;
  options.width = 1200;  // (1200 + 16) / (360 + 16) = 3 panels across, (1200 - 32) / 3 = 389 whole pixels each
  options.height = 250;
  std::string svg = render_svg_dashboard(panels, options);
  CHECK(occurrences(svg, "<svg class=\"panel\"") == 4);
  CHECK(occurrences(svg, "<?xml") == 1);
  CHECK(svg.find("<svg class=\"panel\" x=\"0.00\" y=\"0.00\" width=\"389.00\" height=\"250.00\">") != std::string::npos);
  CHECK(svg.find("<svg class=\"panel\" x=\"405.00\" y=\"0.00\"") != std::string::npos);
  CHECK(svg.find("<svg class=\"panel\" x=\"0.00\" y=\"266.00\"") != std::string::npos);  // the second row
  CHECK(svg.find("height=\"516.00\" viewBox=\"0 0 1200.00 516.00\"") != std::string::npos);
  // Over 0..11 minutes, panel a's line starts at the plot's left edge (72 pixels in) and ends a
  // tenth of the way across; panel d's ends at the right edge.
  double plot_width = 389 - 72 - 24;
  std::string first_points = svg.substr(svg.find("points=\"") + 8, 40);
  CHECK(first_points.starts_with("72.00,"));
  CHECK(first_points.find(fmt::format(" {:.2f},", 72 + plot_width / 11)) != std::string::npos);
  CHECK(svg.find(fmt::format(" {:.2f},", 72 + plot_width)) != std::string::npos);
}

TEST_CASE("an SVG chart has a polyline per run and a circle per lone point") {
  // Runs: 0-2 minutes, then (after a NaN) a lone point at 4, then (after a missing period) 6-7.
  ChartSeries series{"s", "Count", {{0, 1}, {60'000, 2}, {120'000, 3}, {180'000, NAN}, {240'000, 2}, {360'000, 1}, {420'000, 0}}};
  std::string svg = render_svg({series}, {});
  CHECK(occurrences(svg, "<polyline class=\"series\"") == 2);
  CHECK(occurrences(svg, "<circle class=\"series\"") == 1);
  CHECK(svg.starts_with("<?xml"));
  CHECK(svg.ends_with("</svg>\n"));
}
