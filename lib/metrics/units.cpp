#include "metrics/units.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace millrace::metrics {
namespace {

// A display unit and the magnitude from which it is used.
struct Scale {
  double from, divisor;
  const char* suffix;
};

constexpr double kKi = 1024.0;
constexpr std::array<Scale, 5> kBinary = {{{0, 1, " B"},
                                           {kKi, kKi, " KiB"},
                                           {kKi * kKi, kKi * kKi, " MiB"},
                                           {kKi * kKi * kKi, kKi * kKi * kKi, " GiB"},
                                           {kKi * kKi * kKi * kKi, kKi * kKi * kKi * kKi, " TiB"}}};
constexpr std::array<Scale, 5> kSi = {{{0, 1, ""}, {1e3, 1e3, "k"}, {1e6, 1e6, "M"}, {1e9, 1e9, "G"}, {1e12, 1e12, "T"}}};
// In milliseconds. Seconds go on to two minutes and minutes to two hours, so that "90 s" and
// "90 min" are not shown as 1.5 of the next unit.
constexpr std::array<Scale, 5> kTime = {
    {{0, 0.001, " us"}, {1, 1, " ms"}, {1e3, 1e3, " s"}, {120e3, 60e3, " min"}, {7200e3, 3600e3, " h"}}};

template <std::size_t N>
DisplayUnit pick(const std::array<Scale, N>& scales, double magnitude, double factor, std::string_view tail) {
  // `factor` converts the unit to the table's (Seconds to the milliseconds of kTime).
  const Scale* chosen = &scales[0];
  for (const Scale& scale : scales)
    if (magnitude * factor >= scale.from) chosen = &scale;
  return {chosen->divisor / factor, std::string(chosen->suffix) + std::string(tail)};
}

// Decimals enough to tell the ticks of `step` apart: 0 for 1, 2, 5, 10...; 1 for 0.5, 0.2...
int decimals_of(double step) { return step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9)); }

// Drops the zeros after a decimal point, and the point with them ("1.50" → "1.5", "2.00" → "2").
std::string trim_zeros(std::string number) {
  if (number.find('.') == std::string::npos) return number;
  while (number.back() == '0') number.pop_back();
  if (number.back() == '.') number.pop_back();
  return number;
}

}  // namespace

DisplayUnit display_unit(std::string_view unit, double magnitude) {
  magnitude = std::fabs(magnitude);
  if (unit == "Bytes") return pick(kBinary, magnitude, 1, "");
  if (unit == "Bytes/Second") return pick(kBinary, magnitude, 1, "/s");
  if (unit == "Milliseconds") return pick(kTime, magnitude, 1, "");
  if (unit == "Seconds") return pick(kTime, magnitude, 1000, "");
  if (unit == "Microseconds") return pick(kTime, magnitude, 0.001, "");
  if (unit == "Percent") return {1, "%"};
  if (unit == "Count/Second") return pick(kSi, magnitude, 1, "/s");
  if (unit.empty() || unit == "Count" || unit == "None") return pick(kSi, magnitude, 1, "");
  return pick(kSi, magnitude, 1, fmt::format(" {}", unit));
}

std::string format_value(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "-";
  DisplayUnit shown = display_unit(unit, value);
  double scaled = value / shown.divisor;
  double magnitude = std::fabs(scaled);
  int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  std::string number = trim_zeros(fmt::format("{:.{}f}", scaled, decimals));
  if (number == "-0") number = "0";
  return number + shown.suffix;
}

ValueAxis value_axis(double min, double max, int max_ticks, std::string_view unit) {
  // Both ends a whole number of steps from zero; a little slack, so that 4 / 0.2 is 20.
  constexpr double kSlack = 1e-9;
  int intervals = std::max(2, max_ticks) - 1;
  double low = std::min(0.0, min), high = std::max(0.0, max);
  DisplayUnit shown = display_unit(unit, std::max(std::fabs(low), std::fabs(high)));
  double a = low / shown.divisor, b = high / shown.divisor;
  if (b - a <= 0) b = a + 1;
  double step = 0;
  std::int64_t first = 0, last = 0;
  for (int exponent = static_cast<int>(std::floor(std::log10((b - a) / intervals))) - 1; step == 0; ++exponent)
    for (double mantissa : {1.0, 2.0, 5.0}) {
      double candidate = mantissa * std::pow(10.0, exponent);
      first = static_cast<std::int64_t>(std::floor(a / candidate + kSlack));
      last = static_cast<std::int64_t>(std::ceil(b / candidate - kSlack));
      if (last - first <= intervals) {
        step = candidate;
        break;
      }
    }
  ValueAxis axis;
  int decimals = decimals_of(step);
  axis.low = static_cast<double>(first) * step * shown.divisor;
  axis.high = static_cast<double>(last) * step * shown.divisor;
  for (std::int64_t k = first; k <= last; ++k) {
    axis.ticks.push_back(static_cast<double>(k) * step * shown.divisor);
    axis.labels.push_back(fmt::format("{:.{}f}{}", static_cast<double>(k) * step, decimals, shown.suffix));
  }
  return axis;
}

}  // namespace millrace::metrics
