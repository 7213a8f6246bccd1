// RequestMetrics: the metrics of gw-serve's answers that no commit of their own carries: every
// request's (AWS/ApiGateway, metrics/api_gateway.h) and the DynamoDB API's reads
// (ConsumedReadCapacityUnits, ReturnedItemCount, SuccessfulRequestLatency, metrics/dynamodb.h).
//
// The server's threads and the commit threads add samples to one table in memory, under a lock:
// a request costs a lock and a few additions, never a write. A thread of its own ("metrics")
// writes them in a small write transaction: every kInterval when there are any (on the clock's
// multiples of it, so that one write follows each minute's end by at most that), before a read of
// the metrics (write_then: GET /metrics and CloudWatch's API see every request answered before
// theirs), and when it is destroyed (gw-serve's end on SIGTERM or SIGINT, once the requests in
// flight are answered). A crash loses at most the last kInterval of them; a write that fails
// keeps them for the next.
//
// The metrics of the writes (IncomingRecords, ConsumedWriteCapacityUnits, ...) are not these:
// they are recorded in the writes' own commits (serve/record_committer.h, serve/item_committer.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "aws/model.h"
#include "metrics/api_gateway.h"
#include "metrics/dynamodb.h"
#include "metrics/recorder.h"
#include "serve/dynamodb_capacity.h"
#include "serve/server.h"
#include "store/env.h"

namespace millrace::serve {

class RequestMetrics {
 public:
  static constexpr std::chrono::milliseconds kInterval{5000};

  explicit RequestMetrics(store::Env& env);
  // Writes what is kept, then stops its thread.
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // A request of `operation` (metrics/api_gateway.h; empty: none) answered with `status` after
  // `latency_ms`. Thread-safe.
  void request(std::string_view operation, int status, double latency_ms);
  // A read of the DynamoDB API (or an item route's) that gave `usage` after `latency_ms`.
  // Thread-safe.
  void read(const dynamodb::ReadUsage& usage, double latency_ms);
  // Calls `then` on the metrics thread once what was kept when it was called is written (or
  // its write failed). Thread-safe; `then` must not block.
  void write_then(std::function<void()> then);

 private:
  void run();
  void write();  // on the metrics thread

  store::Env& env_;
  std::mutex mutex_;  // guards what follows, up to writing_
  std::condition_variable wake_;
  metrics::Recorder taken_;
  metrics::ApiRequests requests_{taken_};
  metrics::TablesMetrics tables_{taken_};
  std::vector<std::function<void()>> waiting_;
  bool stopping_ = false;
  // The metrics thread's.
  metrics::Recorder writing_;
  bool warned_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// The Operation of a call of `name` to the AWS API `service`: its X-Amz-Target (PREFIX.NAME), a
// view of a string that lives as long as the process; empty when the model has no such
// operation.
std::string_view api_operation(const aws::model::Service& service, std::string_view name);

// The operation a request is recorded under (empty: none), a view that outlives the request.
using OperationOf = std::function<std::string_view(const Request& request)>;

// The server's handler `next`, each request's answer recorded in `metrics` under the operation
// `operation_of` names, with its status and its time from the call of the handler to the answer.
Handler recorded(Handler next, RequestMetrics& metrics, OperationOf operation_of);

}  // namespace millrace::serve
