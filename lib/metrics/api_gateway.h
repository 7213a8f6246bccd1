// The metrics of gw-serve's requests, as Amazon API Gateway records those of an API (namespace
// AWS/ApiGateway), by its names and units, one sample per request answered:
//
//   Count      Count         1
//   4XXError   Count         1 for an answer of status 400 to 499, else 0: its Sum is the
//                            client errors, its Average their rate
//   5XXError   Count         1 for an answer of status 500 to 599, else 0
//   Latency    Milliseconds  from the request read whole to its answer handed to the
//                            connection (a write's includes its commit and fsync)
//
// Each with the dimension ApiName=gw-serve alone (every request, as API Gateway's metrics of an
// API), and with ApiName and Operation, the request's kind (API Gateway's Method and Resource
// of its detailed metrics, in one dimension so that one query lists every kind):
//   - an AWS API's operation, as its X-Amz-Target names it: Kinesis_20131202.PutRecord,
//     DynamoDB_20120810.GetItem, GraniteServiceVersion20100801.GetMetricData (also when sent in
//     the query protocol);
//   - a route, by its method and resource as API Gateway writes them: POST /streams/{StreamName},
//     GET /tables/{TableName}/items/{Key+}, GET /metrics, GET /health, a --route's own
//     ('GET /users/{id}') and Lambda's Invoke (POST /2015-03-31/functions/{FunctionName}/invocations).
// A request that names no operation (404, 405, an X-Amz-Target the models do not have) counts in
// the ApiName metrics only: the values of Operation are the few the server knows, never a
// client's text.
//
// A request costs a hash lookup of its operation and a few additions (metrics/minute_sets.h);
// the ApiName metrics are the operations' merged when the samples move to a Recorder.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "lines/time.h"
#include "metrics/minute_sets.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kApiGateway = "AWS/ApiGateway";
inline constexpr std::string_view kApiName = "gw-serve";

class ApiRequests {
 public:
  // A request of `operation` (empty: none) answered with `status` after `latency_ms`, at `at`.
  void add(std::string_view operation, int status, double latency_ms, lines::EpochMs at) {
    if (last_ == nullptr || operation != last_operation_) {  // requests come in runs of one kind
      auto it = operations_.find(operation);
      if (it == operations_.end()) it = operations_.emplace(std::string(operation), Sets()).first;
      last_operation_ = it->first;
      last_ = &it->second;
    }
    auto& sets = last_->at(at);
    sets[kCount].add(1);
    sets[kClientErrors].add(status >= 400 && status < 500 ? 1 : 0);
    sets[kServerErrors].add(status >= 500 && status < 600 ? 1 : 0);
    sets[kLatency].add(latency_ms);
  }

  // Moves the samples added so far into `recorder`, as its metrics' samples.
  void move_to(Recorder& recorder);

 private:
  enum Metric : std::size_t { kCount, kClientErrors, kServerErrors, kLatency, kMetrics };
  using Sets = MinuteSets<kMetrics>;
  std::unordered_map<std::string, Sets, NameHash, std::equal_to<>> operations_;  // "" for none
  std::string_view last_operation_;  // the key of the last one added to,
  Sets* last_ = nullptr;             // and its sets
};

}  // namespace millrace::metrics
