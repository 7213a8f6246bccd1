#include "metrics/metric.h"

#include <algorithm>

#include <fmt/format.h>

namespace millrace::metrics {
namespace {

constexpr std::pair<Unit, std::string_view> kUnits[] = {{Unit::none, "None"},
                                                         {Unit::count, "Count"},
                                                         {Unit::bytes, "Bytes"},
                                                         {Unit::milliseconds, "Milliseconds"},
                                                         {Unit::seconds, "Seconds"}};

std::optional<std::string> name_problem(std::string_view what, std::string_view text) {
  if (text.empty()) return fmt::format("{} is empty", what);
  if (text.size() > kMaxNameBytes) return fmt::format("{} is longer than {} bytes", what, kMaxNameBytes);
  if (text.find('\0') != std::string_view::npos) return fmt::format("{} holds a zero byte", what);
  return std::nullopt;
}

}  // namespace

std::string_view unit_name(Unit unit) {
  for (const auto& [u, name] : kUnits)
    if (u == unit) return name;
  return "None";
}

std::optional<Unit> unit_of(std::uint8_t stored) {
  for (const auto& [u, name] : kUnits)
    if (static_cast<std::uint8_t>(u) == stored) return u;
  return std::nullopt;
}

MetricId::MetricId(std::string ns_, std::string name_, std::vector<Dimension> dimensions_)
    : ns(std::move(ns_)), name(std::move(name_)), dimensions(std::move(dimensions_)) {
  std::sort(dimensions.begin(), dimensions.end(), [](const Dimension& a, const Dimension& b) { return a.name < b.name; });
}

const std::string* MetricId::dimension(std::string_view wanted) const {
  for (const Dimension& d : dimensions)
    if (d.name == wanted) return &d.value;
  return nullptr;
}

std::optional<std::string> MetricId::problem() const {
  if (auto p = name_problem("namespace", ns)) return p;
  if (auto p = name_problem("metric name", name)) return p;
  if (dimensions.size() > kMaxDimensions) return fmt::format("more than {} dimensions", kMaxDimensions);
  for (std::size_t i = 0; i < dimensions.size(); ++i) {
    if (auto p = name_problem("dimension name", dimensions[i].name)) return p;
    if (auto p = name_problem(fmt::format("dimension {}", dimensions[i].name), dimensions[i].value)) return p;
    if (i > 0 && dimensions[i - 1].name == dimensions[i].name)
      return fmt::format("dimension {} given twice", dimensions[i].name);
  }
  return std::nullopt;
}

std::string MetricId::label() const {
  std::string out = name;
  for (const Dimension& d : dimensions) out.append(" ").append(d.name).append("=").append(d.value);
  return out;
}

std::string_view statistic_name(Statistic statistic) {
  for (const auto& [name, s] : kStatistics)
    if (s == statistic) return name;
  return "Sum";
}

std::optional<Statistic> parse_statistic(std::string_view name) {
  for (const auto& [known, s] : kStatistics)
    if (known == name) return s;
  return std::nullopt;
}

double value_of(const StatisticSet& set, Statistic statistic) {
  switch (statistic) {
    case Statistic::sum: return set.sum;
    case Statistic::average: return set.sample_count > 0 ? set.sum / set.sample_count : 0;
    case Statistic::minimum: return set.minimum;
    case Statistic::maximum: return set.maximum;
    case Statistic::sample_count: return set.sample_count;
  }
  return set.sum;
}

}  // namespace millrace::metrics
