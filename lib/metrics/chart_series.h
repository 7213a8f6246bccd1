// ChartSeries: what the chart renderers draw (the terminal's, the SVG's, the dashboard's), and
// the facts about it they share: the extent of the data, and its contiguous runs.
//
// Independent of the store: a series is a label, a CloudWatch unit and points in time order.
// A period without a point is missing, as in CloudWatch (not zero): the line breaks there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace millrace::metrics {

struct ChartPoint {
  std::int64_t time_ms;  // epoch milliseconds, UTC: the start of the point's period
  double value;          // NaN: missing, as a period without a point
};

struct ChartSeries {
  std::string label;    // shown in the legend
  std::string unit;     // CloudWatch's: Count, Bytes, Milliseconds, Seconds, Percent, Count/Second...
  std::vector<ChartPoint> points;  // REQUIRES: in strictly increasing time order
  // The series' period: two points further apart than this have a gap between them. 0: the
  // smallest distance between two successive points.
  std::int64_t period_ms = 0;
};

// The time range a chart shows: `start_ms` and `end_ms` when given, else the data's.
struct TimeRange {
  std::int64_t start_ms = 0, end_ms = 0;  // end_ms > start_ms
};
// The range of the points of every series; with no points at all, the hour before `end_ms` (or
// before 0). A range of a single instant is widened to that instant plus one period (a minute
// when unknown), so every point has a place.
TimeRange time_range(const std::vector<ChartSeries>& series, std::optional<std::int64_t> start_ms,
                     std::optional<std::int64_t> end_ms);

// The least and greatest value of the points in `range`; nullopt when there is none.
struct ValueRange {
  double min, max;
};
std::optional<ValueRange> value_range(const std::vector<ChartSeries>& series, TimeRange range);

// The period of `series`: its own, or the smallest distance between two successive points (0
// with fewer than two points).
std::int64_t period_of(const ChartSeries& series);

// The contiguous runs of `series` within `range`: maximal spans of points with values (not NaN)
// whose successive times are at most one period apart. A lone point is a run of one.
std::vector<std::span<const ChartPoint>> runs_of(const ChartSeries& series, TimeRange range);

// A label or title as it may be drawn: control characters (a terminal's escape sequences,
// which a stream name taken from data must not smuggle in) become '?'.
std::string printable(std::string_view text);

// The width of UTF-8 `text` in terminal columns: one per code point (the charts' own glyphs,
// braille and box drawing, are all one column wide).
std::size_t display_width(std::string_view text);

// The first `columns` columns of UTF-8 `text`.
std::string truncate_to_width(std::string_view text, std::size_t columns);

}  // namespace millrace::metrics
