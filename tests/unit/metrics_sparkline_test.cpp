#include "metrics/sparkline.h"

#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <vector>

using namespace millrace::metrics;

TEST_CASE("a sparkline has a bar a value from 0 to the greatest, and a space where a value is missing") {
  // Levels round(v·7/7) = v: 0 → ▁, 1 → ▂, 2 → ▃, 7 → █.
  std::vector<std::optional<double>> values = {0, 1, 2, std::nullopt, 7};
  CHECK(sparkline(values) == "▁▂▃ █");
  CHECK(sparkline(values, Glyphs::ascii) == "_.: #");
  // A NaN is missing too; 3.5 of 7 is level round(3.5) = 4 (▅).
  CHECK(sparkline({7, NAN, 3.5}) == "█ ▅");
  // All equal: the greatest bar, or the least when all are zero.
  CHECK(sparkline({5, 5}) == "██");
  CHECK(sparkline({0, 0}) == "▁▁");
  // Below zero, the least value is the floor: -2..2 in levels round((v + 2)·7/4).
  CHECK(sparkline({-2, 0, 2}) == "▁▅█");
}

TEST_CASE("a series by period: sums of the points in each period, nothing where none is") {
  ChartSeries series{"s", "Count", {{0, 1}, {30'000, 2}, {120'000, 5}, {600'000, 9}}};
  std::vector<std::optional<double>> values = by_period(series, 0, 60'000, 4);
  REQUIRE(values.size() == 4);
  CHECK(values[0] == 3.0);
  CHECK(!values[1]);
  CHECK(values[2] == 5.0);
  CHECK(!values[3]);  // the point at 10 minutes is past the 4 periods
}
