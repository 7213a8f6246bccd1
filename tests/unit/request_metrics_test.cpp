#include "serve/request_metrics.h"

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/query.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::serve;
using millrace::test::TempDir;

namespace {

metrics::MetricId api(const char* name, std::string_view operation) {
  return metrics::MetricId("AWS/ApiGateway", name, {{"ApiName", "gw-serve"}, {"Operation", std::string(operation)}});
}
metrics::MetricId rides(const char* name, std::vector<metrics::Dimension> more = {}) {
  more.push_back({"TableName", "rides"});
  return metrics::MetricId("AWS/DynamoDB", name, more);
}

struct Store {
  TempDir dir;
  store::Env env{dir / "store", store::Access::write, store::Sync::none};

  // Every sample of `id` written so far.
  metrics::StatisticSet total(const metrics::MetricId& id) {
    store::ReadTxn reader(env);
    return read_total(reader.renew(), id);
  }
};

// Waits until `metrics` has written what it keeps now.
void written(RequestMetrics& metrics) {
  std::promise<void> done;
  metrics.write_then([&done] { done.set_value(); });
  done.get_future().get();
}

struct Sink : ResponseSink {
  std::vector<Response> answers;
  void deliver(std::shared_ptr<ResponseSink>, std::uint64_t, Response response) override {
    answers.push_back(std::move(response));
  }
};

}  // namespace

TEST_CASE("requests and what they read are kept in memory, written before a read of the metrics and when it ends") {
  Store s;
  std::string_view put = api_operation(aws::model::kinesis, "PutRecord");
  {
    RequestMetrics metrics(s.env);
    metrics.request(put, 200, 1.5);
    metrics.request(put, 400, 0.5);
    dynamodb::ReadUsage usage{"GetItem", {}};
    usage.tables.push_back({dynamodb::Consumed("rides"), 1});
    usage.tables.back().consumed.add_table(0.5);
    std::string_view get = api_operation(aws::model::dynamodb, "GetItem");
    metrics.request(get, 200, 2, &usage);
    usage.tables.back().items = 0;  // a miss costs its units all the same
    metrics.request(get, 200, 3, &usage);
    CHECK(s.total(api("Count", put)).empty());  // not written yet
    written(metrics);
    CHECK(s.total(api("Count", put)).sum == 2);
    CHECK(s.total(api("4XXError", put)).sum == 1);
    CHECK(s.total(api("Latency", put)).sum == 2);
    CHECK(s.total(rides("ConsumedReadCapacityUnits")).sum == 1);
    CHECK(s.total(rides("ConsumedReadCapacityUnits")).sample_count == 2);
    metrics::StatisticSet returned = s.total(rides("ReturnedItemCount", {{"Operation", "GetItem"}}));
    CHECK(returned.sum == 1);
    CHECK(returned.sample_count == 2);
    CHECK(s.total(rides("SuccessfulRequestLatency", {{"Operation", "GetItem"}})).sum == 5);
    metrics.request(put, 200, 1);  // kept until the end
  }
  CHECK(s.total(api("Count", put)).sum == 3);
}

TEST_CASE("a read of a global index is the index's, not the table's") {
  Store s;
  {
    RequestMetrics metrics(s.env);
    store::IndexMeta index;
    index.name = "by-city";
    index.kind = store::IndexKind::global;
    dynamodb::ReadUsage usage{"Query", {}};
    usage.tables.push_back({dynamodb::Consumed("rides"), 4});
    usage.tables.back().consumed.add_index(index, 1.5);
    metrics.request(api_operation(aws::model::dynamodb, "Query"), 200, 1, &usage);
  }
  CHECK(s.total(rides("ConsumedReadCapacityUnits")).empty());
  CHECK(s.total(rides("ConsumedReadCapacityUnits", {{"GlobalSecondaryIndexName", "by-city"}})).sum == 1.5);
  CHECK(s.total(rides("ReturnedItemCount", {{"Operation", "Query"}})).sum == 4);
}

TEST_CASE("a recording responder passes the answer on and records its status; one dropped, its 500") {
  Store s;
  auto sink = std::make_shared<Sink>();
  {
    RequestMetrics metrics(s.env);
    Responder echo = recording(Responder(sink, 1), metrics, "GET /echo");
    Response answer;
    answer.body = "hello";
    echo.send(std::move(answer));
    Response missing;
    missing.status = 404;
    recording(Responder(sink, 2), metrics, "").send(std::move(missing));
    recording(Responder(sink, 3), metrics, "GET /echo");  // dropped unanswered
  }
  REQUIRE(sink->answers.size() == 3);
  CHECK(sink->answers[0].body == "hello");
  CHECK(sink->answers[1].status == 404);
  CHECK(sink->answers[2].status == 500);
  CHECK(s.total(api("Count", "GET /echo")).sum == 2);
  CHECK(s.total(api("5XXError", "GET /echo")).sum == 1);
  metrics::MetricId all("AWS/ApiGateway", "Count", {{"ApiName", "gw-serve"}});
  CHECK(s.total(all).sum == 3);
  CHECK(s.total(metrics::MetricId("AWS/ApiGateway", "4XXError", {{"ApiName", "gw-serve"}})).sum == 1);
}

TEST_CASE("samples taken on many threads at once are all written") {
  Store s;
  constexpr int kThreads = 4, kEach = 5000;
  {
    RequestMetrics metrics(s.env);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&metrics, t] {
        for (int i = 0; i < kEach; ++i) {
          metrics.request("GET /health", i % 10 == 0 ? 503 : 200, 1);
          if (t == 0 && i % 1000 == 0) written(metrics);  // writes while the others add
        }
      });
    for (std::thread& thread : threads) thread.join();
  }
  CHECK(s.total(api("Count", "GET /health")).sum == kThreads * kEach);
  CHECK(s.total(api("5XXError", "GET /health")).sum == kThreads * kEach / 10);
}

TEST_CASE("an API's operation is its X-Amz-Target, for the operations of its model only") {
  CHECK(api_operation(aws::model::kinesis, "PutRecords") == "Kinesis_20131202.PutRecords");
  CHECK(api_operation(aws::model::dynamodb, "GetItem") == "DynamoDB_20120810.GetItem");
  CHECK(api_operation(aws::model::cloudwatch, "GetMetricData") == "GraniteServiceVersion20100801.GetMetricData");
  CHECK(api_operation(aws::model::kinesis, "GetItem").empty());
  CHECK(api_operation(aws::model::kinesis, "").empty());
  CHECK(api_operation("DynamoDB_20120810.Query") == "DynamoDB_20120810.Query");
  CHECK(api_operation("DynamoDB_20120810.Nothing").empty());
  CHECK(api_operation("DynamoDB_20120810.").empty());
  std::string target = "Kinesis_20131202.PutRecords";  // a client's text, gone after the request
  CHECK(api_operation(target).data() != target.data());
  CHECK(api_operation(target).data() == api_operation(aws::model::kinesis, "PutRecords").data());
}
