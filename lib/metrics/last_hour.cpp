#include "metrics/last_hour.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iterator>

#include "metrics/chart_series.h"
#include "metrics/layout.h"
#include "metrics/query.h"
#include "metrics/sparkline.h"

namespace millrace::metrics {
namespace {

// The bars' widths tried, narrowest first, until a row fits the terminal.
constexpr std::array<int, 6> kMinutesPerBar = {1, 2, 3, 5, 10, 15};

// A count or capacity units as they are: 1200, 0.5.
std::string number(double value) { return fmt::format("{:.15g}", value); }

std::string per_bar(int minutes) { return minutes == 1 ? "a minute" : fmt::format("in {} minutes", minutes); }

// The minutes' values in bars of `minutes` each: their sums, nullopt for a bar without any.
std::vector<std::optional<double>> bars_of(const std::vector<std::optional<double>>& by_minute, int minutes) {
  std::vector<std::optional<double>> bars(by_minute.size() / static_cast<std::size_t>(minutes));
  for (std::size_t i = 0; i < by_minute.size(); ++i)
    if (by_minute[i]) {
      std::optional<double>& bar = bars[i / static_cast<std::size_t>(minutes)];
      bar = bar.value_or(0) + *by_minute[i];
    }
  return bars;
}

// "1200 in the hour, at most 120 a minute", or "none in the hour".
std::string summary(const std::vector<std::optional<double>>& bars, int minutes) {
  double total = 0, peak = 0;
  bool any = false;
  for (const std::optional<double>& bar : bars)
    if (bar) {
      peak = any ? std::max(peak, *bar) : *bar;
      total += *bar;
      any = true;
    }
  if (!any) return "none in the hour";
  return fmt::format("{} in the hour, at most {} {}", number(total), number(peak), per_bar(minutes));
}

}  // namespace

std::vector<std::optional<double>> last_hour(const store::Txn& txn, const MetricId& id, lines::EpochMs now, int minutes_per_bar) {
  lines::EpochMs end = layout::start_of(layout::minute_of(now) + 1);
  lines::EpochMs start = end - kHourMinutes * layout::kMinuteMs;
  ChartSeries series;
  for (const Datapoint& point : read_series(txn, id, Statistic::sum, Range{start, end, layout::kMinuteMs}, now))
    series.points.push_back({point.timestamp, point.value});
  return by_period(series, start, minutes_per_bar * layout::kMinuteMs, static_cast<std::size_t>(kHourMinutes / minutes_per_bar));
}

std::string last_hour_block(const store::Txn& txn, std::string_view title, const std::vector<HourRow>& rows, lines::EpochMs now,
                            int columns, Glyphs glyphs) {
  std::size_t label_width = 0;
  std::vector<std::vector<std::optional<double>>> by_minute;
  for (const HourRow& row : rows) {
    label_width = std::max(label_width, display_width(row.label));
    by_minute.push_back(last_hour(txn, row.id, now, 1));
  }
  // The narrowest bars whose rows all fit: "  LABEL  BARS  SUMMARY".
  int minutes = kMinutesPerBar.back();
  for (int candidate : kMinutesPerBar) {
    std::size_t widest = 0;
    for (const auto& values : by_minute) widest = std::max(widest, summary(bars_of(values, candidate), candidate).size());
    if (2 + label_width + 2 + static_cast<std::size_t>(kHourMinutes / candidate) + 2 + widest <= static_cast<std::size_t>(columns)) {
      minutes = candidate;
      break;
    }
  }
  lines::EpochMs last = layout::start_of(layout::minute_of(now));
  lines::EpochMs first = last - (kHourMinutes - 1) * layout::kMinuteMs;
  std::string out = fmt::format("{}, the last hour, a bar {} from {} to {} UTC:\n", title,
                                minutes == 1 ? "a minute" : fmt::format("for {} minutes", minutes),
                                lines::format_iso8601(first).substr(11, 5), lines::format_iso8601(last).substr(11, 5));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::optional<double>> bars = bars_of(by_minute[i], minutes);
    std::string label = rows[i].label;
    label.append(label_width - display_width(label), ' ');
    fmt::format_to(std::back_inserter(out), "  {}  {}  {}\n", label, sparkline(bars, glyphs), summary(bars, minutes));
  }
  return out;
}

Glyphs sparkline_glyphs() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    std::string locale(value);
    std::transform(locale.begin(), locale.end(), locale.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return locale.find("utf-8") != std::string::npos || locale.find("utf8") != std::string::npos ? Glyphs::blocks : Glyphs::ascii;
  }
  return Glyphs::ascii;
}

}  // namespace millrace::metrics
