#include "metrics/api_gateway.h"

#include <utility>
#include <vector>

namespace millrace::metrics {

ApiRequests::ApiRequests(Recorder& recorder) : recorder_(recorder), api_(series({})) {}

ApiRequests::Series ApiRequests::series(std::string_view operation) {
  std::vector<Dimension> dimensions = {{"ApiName", std::string(kApiName)}};
  if (!operation.empty()) dimensions.push_back({"Operation", std::string(operation)});
  Series made;
  constexpr std::pair<std::string_view, Unit> kMetrics[] = {
      {"Count", Unit::count}, {"4XXError", Unit::count}, {"5XXError", Unit::count}, {"Latency", Unit::milliseconds}};
  for (std::size_t i = 0; i < made.size(); ++i)
    made[i] = recorder_.series(MetricId(std::string(kApiGateway), std::string(kMetrics[i].first), dimensions), kMetrics[i].second);
  return made;
}

void ApiRequests::add(const Series& series, int status, double latency_ms, lines::EpochMs at) {
  recorder_.add(series[0], 1, at);
  recorder_.add(series[1], status >= 400 && status < 500 ? 1 : 0, at);
  recorder_.add(series[2], status >= 500 && status < 600 ? 1 : 0, at);
  recorder_.add(series[3], latency_ms, at);
}

void ApiRequests::add(std::string_view operation, int status, double latency_ms, lines::EpochMs at) {
  add(api_, status, latency_ms, at);
  if (operation.empty()) return;
  auto it = operations_.find(operation);
  if (it == operations_.end()) it = operations_.emplace(std::string(operation), series(operation)).first;
  add(it->second, status, latency_ms, at);
}

}  // namespace millrace::metrics
