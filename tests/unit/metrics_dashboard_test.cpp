#include "metrics/dashboard.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace millrace::metrics;

TEST_CASE("a dashboard puts its panels side by side as far as they fit, each with its title") {
  std::vector<Panel> panels;
  for (const char* name : {"rides", "taxis", "errors"})
    panels.push_back({name, {ChartSeries{name, "Count", {{0, 1}, {60'000, 3}, {120'000, 2}}}}});
  ChartOptions options;
  options.width = 80;  // (80 + 1) / (36 + 1) = 2 panels across, (80 - 1) / 2 = 39 columns each
  options.height = 20;
  std::vector<std::string> lines = render_dashboard(panels, options);
  // Two rows of panels, each 10 rows high.
  REQUIRE(lines.size() == 20);
  for (const std::string& line : lines) CHECK(display_width(line) == 80);
  CHECK(lines[0].starts_with("rides"));
  CHECK(lines[0].substr(40, 5) == "taxis");  // the second panel starts after 39 columns and a space
  CHECK(lines[10].starts_with("errors"));
  // A narrow terminal: one column, and panels keep their least height.
  options.width = 40;
  options.height = 12;
  lines = render_dashboard(panels, options);
  CHECK(lines.size() == static_cast<std::size_t>(3 * kMinPanelHeight));
}

TEST_CASE("the panels of a dashboard share one time range") {
  std::vector<Panel> panels = {{"early", {ChartSeries{"a", "Count", {{0, 1}, {60'000, 1}}}}},
                               {"late", {ChartSeries{"b", "Count", {{600'000, 1}, {660'000, 1}}}}}};
  ChartOptions options;
  options.width = 73;
  options.height = 8;
  options.glyphs = Glyphs::ascii;
  std::vector<std::string> lines = render_dashboard(panels, options);
  // Two panels of 36 columns over 0..11 minutes: the left one's line is at the left of its plot,
  // the right one's at the right.
  std::string left = lines[1].substr(0, 36), right = lines[1].substr(37, 36);
  CHECK(left.find_first_of("'.:") < 8);
  CHECK(right.find_last_of("'.:") == 35);
}
