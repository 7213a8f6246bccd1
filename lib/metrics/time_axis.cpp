#include "metrics/time_axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>

namespace millrace::metrics {
namespace {

constexpr std::int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;
// Every step below a day divides a day, so a midnight in range is always a tick.
constexpr std::array<std::int64_t, 23> kSteps = {
    kSecond,      2 * kSecond,  5 * kSecond,  10 * kSecond, 15 * kSecond, 30 * kSecond, kMinute,  2 * kMinute,
    5 * kMinute,  10 * kMinute, 15 * kMinute, 30 * kMinute, kHour,        2 * kHour,    3 * kHour, 6 * kHour,
    12 * kHour,   kDay,         2 * kDay,     7 * kDay,     14 * kDay,    28 * kDay,    56 * kDay};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

std::tm clock_of(std::int64_t local_ms) {
  std::time_t seconds = static_cast<std::time_t>(floor_div(local_ms, kSecond));
  std::tm fields{};
  ::gmtime_r(&seconds, &fields);
  return fields;
}

}  // namespace

TimeAxis time_axis(std::int64_t start_ms, std::int64_t end_ms, int max_ticks, int utc_offset_minutes) {
  std::int64_t offset = std::int64_t{utc_offset_minutes} * kMinute;
  std::int64_t local_start = start_ms + offset, local_end = end_ms + offset;
  TimeAxis axis;
  for (std::int64_t step : kSteps) {
    axis.step_ms = step;
    if (floor_div(local_end, step) - ceil_div(local_start, step) + 1 <= std::max(1, max_ticks)) break;
  }
  bool passes_midnight = floor_div(local_start, kDay) != floor_div(local_end, kDay);
  for (std::int64_t k = ceil_div(local_start, axis.step_ms); k <= floor_div(local_end, axis.step_ms); ++k) {
    std::int64_t local = k * axis.step_ms;
    std::tm at = clock_of(local);
    bool midnight = local % kDay == 0;
    axis.ticks.push_back(local - offset);
    if (axis.step_ms >= kDay || (midnight && passes_midnight))
      axis.labels.push_back(fmt::format("{:02}-{:02}", at.tm_mon + 1, at.tm_mday));
    else if (axis.step_ms < kMinute)
      axis.labels.push_back(fmt::format("{:02}:{:02}:{:02}", at.tm_hour, at.tm_min, at.tm_sec));
    else
      axis.labels.push_back(fmt::format("{:02}:{:02}", at.tm_hour, at.tm_min));
  }
  return axis;
}

}  // namespace millrace::metrics
