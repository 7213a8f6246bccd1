// RequestMetrics: the metrics of gw-serve's answers that no commit of their own carries: every
// request's (AWS/ApiGateway, metrics/api_gateway.h) and the DynamoDB API's reads
// (ConsumedReadCapacityUnits, ReturnedItemCount, SuccessfulRequestLatency, metrics/dynamodb.h).
//
// Each thread that answers (the server's, the commit threads) adds its samples to tables of its
// own in memory (metrics/minute_sets.h), under a lock that only the writer takes besides it: a
// request costs a lookup and a few additions, never a write nor an allocation, and threads never
// wait for one another nor share the cache lines of one table. A thread of its own ("metrics")
// writes them in a small write transaction: every kInterval when there are any (on the clock's
// multiples of it, so that one write follows each minute's end by at most that), before a read
// of the metrics (write_then: GET /metrics and CloudWatch's API see every request answered
// before theirs), and when it is destroyed (gw-serve's end on SIGTERM or SIGINT, once the
// requests in flight are answered). A crash loses at most the last kInterval of them; a write
// that fails keeps them for the next.
//
// The metrics of the writes (IncomingRecords, ConsumedWriteCapacityUnits, ...) are not these:
// they are recorded in the writes' own commits (serve/record_committer.h, serve/item_committer.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "aws/model.h"
#include "metrics/api_gateway.h"
#include "metrics/dynamodb.h"
#include "metrics/recorder.h"
#include "serve/dynamodb_capacity.h"
#include "serve/responder.h"
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
  // `latency_ms`, which read `reads` of tables when given (its SuccessfulRequestLatency: the
  // same). Thread-safe.
  void request(std::string_view operation, int status, double latency_ms, const dynamodb::ReadUsage* reads = nullptr);
  // The same, its latency from `received` to now.
  void request(std::string_view operation, int status, std::chrono::steady_clock::time_point received,
               const dynamodb::ReadUsage* reads = nullptr) {
    request(operation, status, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received).count(), reads);
  }
  // Calls `then` on the metrics thread once what was kept when it was called is written (or
  // its write failed). Thread-safe; `then` must not block.
  void write_then(std::function<void()> then);

 private:
  // The samples of one thread, and their lock.
  struct Part {
    std::mutex mutex;
    metrics::ApiRequests requests;
    metrics::TableReads reads;
    metrics::Recorder recorder;  // a global index's reads
    metrics::TablesMetrics tables{recorder};
  };
  Part& part();  // the calling thread's
  void run();
  void write();  // on the metrics thread

  store::Env& env_;
  const std::uint64_t id_;  // this object's, unlike any other's: what a thread's Part is cached by
  std::mutex parts_mutex_;
  std::vector<std::unique_ptr<Part>> parts_;
  std::mutex mutex_;  // guards waiting_ and stopping_
  std::condition_variable wake_;
  std::vector<std::function<void()>> waiting_;
  bool stopping_ = false;
  // The metrics thread's.
  metrics::Recorder writing_;
  bool warned_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// The Operation of a call to an AWS API whose X-Amz-Target is `target` (PREFIX.NAME): a view of
// the same text that lives as long as the process; empty when the APIs' models have no such
// operation.
std::string_view api_operation(std::string_view target);
// The same, of the operation `name` of `service`.
std::string_view api_operation(const aws::model::Service& service, std::string_view name);

// `responder`, which records its answer in `metrics` when it is sent: under `operation` (a view
// that outlives it), with its status and the time from now.
Responder recording(Responder responder, RequestMetrics& metrics, std::string_view operation);

}  // namespace millrace::serve
