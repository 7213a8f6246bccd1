#include "metrics/api_gateway.h"

#include <map>
#include <utility>
#include <vector>

namespace millrace::metrics {
namespace {

constexpr std::pair<std::string_view, Unit> kNamesAndUnits[] = {
    {"Count", Unit::count}, {"4XXError", Unit::count}, {"5XXError", Unit::count}, {"Latency", Unit::milliseconds}};

// The series of the metric `index` of `operation` (empty: of the API) in `recorder`.
Recorder::Series series(Recorder& recorder, std::size_t index, std::string_view operation) {
  std::vector<Dimension> dimensions = {{"ApiName", std::string(kApiName)}};
  if (!operation.empty()) dimensions.push_back({"Operation", std::string(operation)});
  return recorder.series(MetricId(std::string(kApiGateway), std::string(kNamesAndUnits[index].first), std::move(dimensions)),
                         kNamesAndUnits[index].second);
}

}  // namespace

void ApiRequests::move_to(Recorder& recorder) {
  std::map<layout::Minute, std::array<StatisticSet, kMetrics>> api;  // every request's, by minute
  for (auto& [operation, sets] : operations_) {
    const std::string& name = operation;  // a lambda may not capture a structured binding (clang)
    sets.take([&](layout::Minute minute, const std::array<StatisticSet, kMetrics>& taken) {
      for (std::size_t i = 0; i < kMetrics; ++i) {
        if (!name.empty()) recorder.add(series(recorder, i, name), taken[i], minute);
        api[minute][i].merge(taken[i]);
      }
    });
  }
  for (const auto& [minute, sets] : api)
    for (std::size_t i = 0; i < kMetrics; ++i) recorder.add(series(recorder, i, {}), sets[i], minute);
}

}  // namespace millrace::metrics
