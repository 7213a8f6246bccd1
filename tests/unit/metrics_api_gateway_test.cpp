#include "metrics/api_gateway.h"

#include <doctest/doctest.h>

#include <string>

#include "metrics/query.h"
#include "store/env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

MetricId api_metric(const char* name, const char* operation = nullptr) {
  std::vector<Dimension> dimensions = {{"ApiName", "gw-serve"}};
  if (operation) dimensions.push_back({"Operation", operation});
  return MetricId("AWS/ApiGateway", name, dimensions);
}

// The statistic set of `id` over the hour of 10:00 (empty when it has no point).
StatisticSet hour(store::Env& env, const MetricId& id) {
  store::ReadTxn reader(env);
  auto periods = read_periods(reader.renew(), id, Range{at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z"), 3'600'000},
                              at("2026-11-23T10:30:00Z"));
  return periods.empty() ? StatisticSet{} : periods[0].second;
}

}  // namespace

TEST_CASE("each request counts once, its errors by status class and its latency, under its operation and the API's") {
  TempDir dir;
  store::Env env(dir / "store", store::Access::write, store::Sync::none);
  ApiRequests requests;
  const char* put = "Kinesis_20131202.PutRecord";
  requests.add(put, 200, 2.5, at("2026-11-23T10:00:01Z"));
  requests.add(put, 400, 0.5, at("2026-11-23T10:00:02Z"));
  requests.add(put, 499, 1, at("2026-11-23T10:01:00Z"));
  requests.add(put, 503, 4, at("2026-11-23T10:01:01Z"));
  requests.add("GET /health", 200, 0.25, at("2026-11-23T10:02:00Z"));
  requests.add("", 404, 0.75, at("2026-11-23T10:02:00Z"));  // no operation: the API's metrics only
  Recorder recorder;
  requests.move_to(recorder);
  write(env, &recorder, [](const store::Txn&) {});
  requests.move_to(recorder);  // nothing more
  CHECK(recorder.empty());

  CHECK(hour(env, api_metric("Count", put)).sum == 4);
  CHECK(hour(env, api_metric("Count", put)).sample_count == 4);
  CHECK(hour(env, api_metric("4XXError", put)).sum == 2);
  CHECK(hour(env, api_metric("4XXError", put)).sample_count == 4);  // Average: the error rate
  CHECK(hour(env, api_metric("4XXError", put)).minimum == 0);       // as samples of 0 and 1
  CHECK(hour(env, api_metric("4XXError", put)).maximum == 1);
  CHECK(hour(env, api_metric("Count", put)).minimum == 1);
  CHECK(hour(env, api_metric("5XXError", put)).sum == 1);
  StatisticSet latency = hour(env, api_metric("Latency", put));
  CHECK(latency.sum == 8);
  CHECK(latency.minimum == 0.5);
  CHECK(latency.maximum == 4);
  CHECK(hour(env, api_metric("Count", "GET /health")).sum == 1);
  CHECK(hour(env, api_metric("4XXError", "GET /health")).sum == 0);
  CHECK(hour(env, api_metric("Count")).sum == 6);
  CHECK(hour(env, api_metric("4XXError")).sum == 3);
  CHECK(hour(env, api_metric("5XXError")).sum == 1);
  CHECK(hour(env, api_metric("Latency")).sum == 9);

  store::ReadTxn reader(env);
  Selector operations{"AWS/ApiGateway", "Count", {{"Operation", std::nullopt}}, false};
  auto listed = list_metrics(reader.renew(), operations, at("2026-11-23T10:30:00Z"));
  REQUIRE(listed.size() == 2);  // the two operations named, nothing for the request without one
  CHECK(*listed[0].id.dimension("Operation") == "GET /health");
  CHECK(*listed[1].id.dimension("Operation") == put);
  CHECK(listed[0].unit == Unit::count);
}

TEST_CASE("each minute's requests are a point of their own, and the API's merge the operations' of that minute") {
  TempDir dir;
  store::Env env(dir / "store", store::Access::write, store::Sync::none);
  ApiRequests requests;
  Recorder recorder;
  requests.add("GET /health", 200, 1, at("2026-11-23T10:00:59.999Z"));
  requests.add("GET /metrics", 200, 3, at("2026-11-23T10:00:10Z"));
  requests.add("GET /health", 200, 2, at("2026-11-23T10:01:00Z"));
  requests.move_to(recorder);
  requests.add("GET /health", 500, 4, at("2026-11-23T10:01:30Z"));  // moved later, into the same minute
  requests.move_to(recorder);
  write(env, &recorder, [](const store::Txn&) {});
  store::ReadTxn reader(env);
  auto minutes = [&](const MetricId& id) {
    return read_periods(reader.renew(), id, Range{at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z"), 60'000},
                        at("2026-11-23T10:30:00Z"));
  };
  auto health = minutes(api_metric("Latency", "GET /health"));
  REQUIRE(health.size() == 2);
  CHECK(health[0].second.sum == 1);
  CHECK(health[1].second.sum == 6);
  CHECK(health[1].second.sample_count == 2);
  auto api = minutes(api_metric("Latency"));
  REQUIRE(api.size() == 2);
  CHECK(api[0].second.sum == 4);
  CHECK(api[0].second.maximum == 3);
  CHECK(api[1].second.sum == 6);
  auto errors = minutes(api_metric("5XXError"));
  REQUIRE(errors.size() == 2);
  CHECK(errors[1].second.sum == 1);
  CHECK(errors[1].second.sample_count == 2);
}
