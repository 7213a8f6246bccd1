#include "metrics/svg.h"

#include "lines/xml.h"

#include <doctest/doctest.h>

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
  std::string svg = render_svg({ChartSeries{"a&b", "Count", {{0, 1}}}}, options);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("&lt;/svg&gt;&lt;script&gt;") != std::string::npos);
  CHECK(svg.find(">a&amp;b</text>") != std::string::npos);
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
