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
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lines/time.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kApiGateway = "AWS/ApiGateway";
inline constexpr std::string_view kApiName = "gw-serve";

class ApiRequests {
 public:
  explicit ApiRequests(Recorder& recorder);
  // A request of `operation` (empty: none) answered with `status` after `latency_ms`, at `at`.
  void add(std::string_view operation, int status, double latency_ms, lines::EpochMs at);

 private:
  // Count, 4XXError, 5XXError, Latency.
  using Series = std::array<Recorder::Series, 4>;
  Series series(std::string_view operation);
  void add(const Series& series, int status, double latency_ms, lines::EpochMs at);

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  Recorder& recorder_;
  Series api_;
  std::unordered_map<std::string, Series, Hash, std::equal_to<>> operations_;
};

}  // namespace millrace::metrics
