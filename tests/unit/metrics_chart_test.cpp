#include "metrics/chart.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace millrace::metrics;

namespace {

constexpr std::int64_t kMinute = 60'000;

// Four points of a series whose period is 3 minutes: 00:00 → 00:03 joined, then a gap of 6
// minutes (more than a period), then 00:09 → 00:11 joined.
ChartSeries gapped() {
  ChartSeries series{"s", "Count", {{0, 5}, {3 * kMinute, 4}, {9 * kMinute, 0}, {11 * kMinute, 0}}, 3 * kMinute};
  return series;
}

// 8 columns by 7 rows, no title: a legend row (one series, no title), the two axis rows, and 4
// rows of plot. The value axis over 0..5 with at most 4/2+1 = 3 ticks: steps 1 and 2 need more
// intervals, 5 needs one: ticks 0 and 5, labels one column wide. So 8 - 1 - 1 = 6 columns of
// plot. The time axis over 00:00..00:11 with at most max(1, 6/8) = 1 tick: every 15 minutes,
// the tick at 00:00, in column 0, its label from column 1 + 1 + 0 - 5/2 = 0.
ChartOptions tiny(Glyphs glyphs) {
  ChartOptions options;
  options.width = 8;
  options.height = 7;
  options.glyphs = glyphs;
  return options;
}

}  // namespace

TEST_CASE("a braille chart puts each point on the dot its time and value map to, and joins the points of a run") {
  // 12 dots across, 16 down: x = round(minutes·11/11), y = round((5 - v)·15/5).
  // (0,5) → (0,0); (3,4) → (3,3); (9,0) → (9,15); (11,0) → (11,15).
  // 00:00-00:03 is the diagonal (0,0) (1,1) (2,2) (3,3): cell 0 holds dot 1 (left, top: 0x01) and
  // dot 5 (right, second: 0x10) = U+2811; cell 1 holds dot 3 (left, third: 0x04) and dot 8
  // (right, bottom: 0x80) = U+2884. 00:09-00:11 is the bottom row of dots 9..11: cell 4 holds
  // dot 8 (0x80) = U+2880, cell 5 dots 7 and 8 (0xC0) = U+28C0. Nothing between: the gap.
  std::vector<std::string> expected = {
      "5┤⠑⢄    ",
      " │      ",
      " │      ",
      "0┤    ⢀⣀",
      " └┬─────",
      "00:00   ",
      "  ━━ s  ",
  };
  CHECK(render_chart({gapped()}, tiny(Glyphs::braille)) == expected);
}

TEST_CASE("a block chart has 2x2 dots a cell, drawn as quadrants") {
  // 12 dots across, 8 down: y = round((5 - v)·7/5): 5 → 0, 4 → 1.4 → 1, 0 → 7.
  // (0,0) → (3,1) by Bresenham: (0,0) (1,0) (2,1) (3,1): cell 0 has its two upper quadrants
  // (▀), cell 1 its two lower ones (▄). (9,7) → (11,7): cell 4's lower right (▗), cell 5's
  // lower two (▄).
  std::vector<std::string> expected = {
      "5┤▀▄    ",
      " │      ",
      " │      ",
      "0┤    ▗▄",
      " └┬─────",
      "00:00   ",
      "  ━━ s  ",
  };
  CHECK(render_chart({gapped()}, tiny(Glyphs::blocks)) == expected);
}

TEST_CASE("an ASCII chart has 1x2 dots a cell and ASCII axes") {
  // 6 dots across, 8 down: x = round(minutes·5/11): 0, 1.36 → 1, 4.09 → 4, 5; y as the blocks'.
  // (0,0) → (1,1): the top of cell 0 ('), the bottom of cell 1 (.); (4,7) → (5,7): the bottoms
  // of cells 4 and 5.
  std::vector<std::string> expected = {
      "5+'.    ",
      " |      ",
      " |      ",
      "0+    ..",
      " ++-----",
      "00:00   ",
      "  -- s  ",
  };
  CHECK(render_chart({gapped()}, tiny(Glyphs::ascii)) == expected);
}

TEST_CASE("a missing value (NaN) or a missing period breaks the line: the points around it stand alone") {
  // 00:00..00:02, 12 dots across: x = round(minutes·11/2): 0 and 11; both values 5: y = 0.
  // Joined, they would fill the whole top row; apart, they are dot 1 of cell 0 (U+2801) and
  // dot 4 of cell 5 (U+2808).
  ChartSeries with_nan{"s", "Count", {{0, 5}, {kMinute, NAN}, {2 * kMinute, 5}}};
  ChartSeries without_point{"s", "Count", {{0, 5}, {2 * kMinute, 5}}, kMinute};
  for (const ChartSeries& series : {with_nan, without_point}) {
    std::vector<std::string> lines = render_chart({series}, tiny(Glyphs::braille));
    CHECK(lines[0] == "5┤⠁    ⠈");
    CHECK(lines[1] == " │      ");
  }
  // Without a period given or a NaN, two points 2 minutes apart are a run (the period is
  // taken from the points): the top row is full.
  ChartSeries joined{"s", "Count", {{0, 5}, {2 * kMinute, 5}}};
  CHECK(render_chart({joined}, tiny(Glyphs::braille))[0] == "5┤⠉⠉⠉⠉⠉⠉");
}

TEST_CASE("several series each take a colour, in the plot and in the legend") {
  ChartSeries a{"in", "Count", {{0, 5}, {2 * kMinute, 5}}};
  ChartSeries b{"out", "Count", {{0, 0}, {2 * kMinute, 0}}};
  ChartOptions options = tiny(Glyphs::braille);
  options.width = 16;
  options.colour = true;
  std::vector<std::string> lines = render_chart({a, b}, options);
  REQUIRE(lines.size() == 7);
  // Series 0 is cyan (36), series 1 yellow (33); each run of cells opens its colour once.
  CHECK(lines[0] == "5┤\x1b[36m⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉\x1b[0m");
  CHECK(lines[3] == "0┤\x1b[33m⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀\x1b[0m");
  CHECK(lines[6] == "  \x1b[36m━━\x1b[0m in   \x1b[33m━━\x1b[0m out");
  // Without colour, no escape at all.
  options.colour = false;
  for (const std::string& line : render_chart({a, b}, options)) CHECK(line.find('\x1b') == std::string::npos);
}

TEST_CASE("every line of a chart is as wide as asked, and the chart as tall") {
  ChartSeries series{"rides", "Bytes", {}};
  for (int i = 0; i < 120; ++i) series.points.push_back({i * kMinute, 1024.0 * 1024 * (1 + std::sin(i / 7.0))});
  for (int width : {12, 20, 57, 80})  // labels such as "1.5 MiB" leave 4 columns of 12
    for (int height : {4, 5, 9, 24}) {
      ChartOptions options;
      options.width = width;
      options.height = height;
      options.title = height > 4 ? "incoming bytes" : "";
      std::vector<std::string> lines = render_chart({series}, options);
      CAPTURE(width);
      CAPTURE(height);
      REQUIRE(lines.size() == static_cast<std::size_t>(height));
      for (const std::string& line : lines) CHECK(display_width(line) == static_cast<std::size_t>(width));
    }
}

TEST_CASE("a chart's value labels carry the unit, and its title comes first") {
  ChartSeries series{"latency", "Milliseconds", {{0, 0}, {kMinute, 1200}, {2 * kMinute, 2400}}};
  ChartOptions options;
  options.width = 30;
  options.height = 8;
  options.title = "duration";
  std::vector<std::string> lines = render_chart({series}, options);
  // 5 rows of plot: at most 5/2+1 = 3 ticks over 0..2.4 s, shown in seconds (2400 ms is past a
  // second): a step of 1 s needs 3 intervals, 2 s needs 2 (0, 2, 4 s).
  CHECK(lines[0] == "duration" + std::string(22, ' '));
  CHECK(lines[1].starts_with("4 s┤"));
  CHECK(lines[5].starts_with("0 s┤"));
  // One series with a title: no legend; the last line is the time labels.
  CHECK(lines[7].find("00:00") != std::string::npos);
}

TEST_CASE("a chart without data says so, with its axes") {
  ChartOptions options = tiny(Glyphs::braille);
  options.width = 20;
  std::vector<std::string> lines = render_chart({ChartSeries{"s", "Count", {}}}, options);
  CHECK(lines[2].find("no data") != std::string::npos);
  CHECK(lines[4].find("└") != std::string::npos);
}

TEST_CASE("labels cannot carry a terminal's escape sequences into the chart") {
  ChartSeries series{"evil\x1b[2Jname", "Count", {{0, 1}}};
  ChartOptions options = tiny(Glyphs::ascii);
  options.width = 20;
  for (const std::string& line : render_chart({series}, options)) CHECK(line.find('\x1b') == std::string::npos);
  CHECK(printable("a\xc2\x9b" "b") == "a?b");  // U+009B, a CSI too
}

TEST_CASE("a chart smaller than the least is refused") {
  ChartOptions options;
  options.width = kMinChartWidth - 1;
  options.height = 10;
  CHECK_THROWS_AS(render_chart({}, options), std::invalid_argument);
  options.width = 20;
  options.height = kMinChartHeight - 1;
  CHECK_THROWS_AS(render_chart({}, options), std::invalid_argument);
}
