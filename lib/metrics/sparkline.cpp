#include "metrics/sparkline.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace millrace::metrics {
namespace {

constexpr int kLevels = 8;
constexpr std::array<char32_t, kLevels> kBars = {U'\u2581', U'\u2582', U'\u2583', U'\u2584',
                                                 U'\u2585', U'\u2586', U'\u2587', U'\u2588'};
constexpr std::array<char, kLevels> kAsciiBars = {'_', '.', ':', '-', '=', '+', '*', '#'};

bool present(const std::optional<double>& value) { return value && std::isfinite(*value); }

}  // namespace

std::string sparkline(const std::vector<std::optional<double>>& values, Glyphs glyphs) {
  double lowest = 0, greatest = 0;
  bool any = false;
  for (const std::optional<double>& value : values)
    if (present(value)) {
      lowest = any ? std::min(lowest, *value) : std::min(0.0, *value);
      greatest = any ? std::max(greatest, *value) : *value;
      any = true;
    }
  std::string line;
  for (const std::optional<double>& value : values) {
    if (!present(value)) {
      line += ' ';
      continue;
    }
    int level = greatest > lowest ? static_cast<int>(std::lround((*value - lowest) * (kLevels - 1) / (greatest - lowest)))
                                  : 0;
    level = std::clamp(level, 0, kLevels - 1);
    line += glyphs == Glyphs::ascii ? std::string(1, kAsciiBars[static_cast<std::size_t>(level)])
                                    : utf8(kBars[static_cast<std::size_t>(level)]);
  }
  return line;
}

std::vector<std::optional<double>> by_period(const ChartSeries& series, std::int64_t start_ms, std::int64_t period_ms,
                                             std::size_t count) {
  std::vector<std::optional<double>> values(count);
  if (period_ms <= 0) return values;
  for (const ChartPoint& point : series.points) {
    if (point.time_ms < start_ms || !std::isfinite(point.value)) continue;
    auto index = static_cast<std::size_t>((point.time_ms - start_ms) / period_ms);
    if (index >= count) continue;
    values[index] = values[index].value_or(0) + point.value;
  }
  return values;
}

}  // namespace millrace::metrics
