#include "metrics/chart_series.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace millrace::metrics {
namespace {

// CloudWatch's smallest standard period, for a lone point whose period is not given.
constexpr std::int64_t kDefaultPeriodMs = 60'000;
// With no data, a chart shows the hour before its end, as `cw-stats --since 1h` would.
constexpr std::int64_t kEmptyRangeMs = 3'600'000;

bool in_range(const ChartPoint& point, TimeRange range) {
  return point.time_ms >= range.start_ms && point.time_ms <= range.end_ms;
}

}  // namespace

std::int64_t period_of(const ChartSeries& series) {
  if (series.period_ms > 0) return series.period_ms;
  std::int64_t period = 0;
  for (std::size_t i = 1; i < series.points.size(); ++i) {
    std::int64_t step = series.points[i].time_ms - series.points[i - 1].time_ms;
    if (step > 0 && (period == 0 || step < period)) period = step;
  }
  return period;
}

TimeRange time_range(const std::vector<ChartSeries>& series, std::optional<std::int64_t> start_ms,
                     std::optional<std::int64_t> end_ms) {
  std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
  std::int64_t period = 0;
  for (const ChartSeries& one : series) {
    for (const ChartPoint& point : one.points) {
      if ((start_ms && point.time_ms < *start_ms) || (end_ms && point.time_ms > *end_ms)) continue;
      first = std::min(first, point.time_ms);
      last = std::max(last, point.time_ms);
    }
    period = std::max(period, period_of(one));
  }
  TimeRange range;
  if (first > last) {  // no points
    range.end_ms = end_ms.value_or(start_ms ? *start_ms + kEmptyRangeMs : 0);
    range.start_ms = start_ms.value_or(range.end_ms - kEmptyRangeMs);
  } else {
    range.start_ms = start_ms.value_or(first);
    range.end_ms = end_ms.value_or(last);
  }
  if (range.end_ms <= range.start_ms) range.end_ms = range.start_ms + (period > 0 ? period : kDefaultPeriodMs);
  return range;
}

std::optional<ValueRange> value_range(const std::vector<ChartSeries>& series, TimeRange range) {
  std::optional<ValueRange> found;
  for (const ChartSeries& one : series)
    for (const ChartPoint& point : one.points) {
      if (!in_range(point, range) || !std::isfinite(point.value)) continue;
      if (!found) found = ValueRange{point.value, point.value};
      found->min = std::min(found->min, point.value);
      found->max = std::max(found->max, point.value);
    }
  return found;
}

std::vector<std::span<const ChartPoint>> runs_of(const ChartSeries& series, TimeRange range) {
  std::vector<std::span<const ChartPoint>> runs;
  std::int64_t period = period_of(series);
  const std::vector<ChartPoint>& points = series.points;
  std::size_t begin = 0;
  auto close = [&](std::size_t end) {
    if (end > begin) runs.emplace_back(points.data() + begin, end - begin);
  };
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!in_range(points[i], range) || !std::isfinite(points[i].value)) {
      close(i);
      begin = i + 1;
    } else if (i > begin && points[i].time_ms - points[i - 1].time_ms > period) {
      close(i);
      begin = i;
    }
  }
  close(points.size());
  return runs;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    // U+0080..U+009F (C2 80..C2 9F) are controls too: U+009B is a terminal's CSI.
    bool c1 = byte == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80;
    if (byte < 0x20 || byte == 0x7f || c1) {
      out += '?';
      i += c1 ? 1 : 0;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen++ == columns) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

}  // namespace millrace::metrics
