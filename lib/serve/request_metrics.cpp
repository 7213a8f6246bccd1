#include "serve/request_metrics.h"

#include <pthread.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "cli/diagnostics.h"
#include "lines/time.h"

namespace millrace::serve {

RequestMetrics::RequestMetrics(store::Env& env) : env_(env), thread_([this] { run(); }) {}

RequestMetrics::~RequestMetrics() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void RequestMetrics::request(std::string_view operation, int status, double latency_ms) {
  lines::EpochMs now = lines::now_ms();
  std::lock_guard lock(mutex_);
  requests_.add(operation, status, latency_ms, now);
}

void RequestMetrics::read(const dynamodb::ReadUsage& usage, double latency_ms) {
  lines::EpochMs now = lines::now_ms();
  std::lock_guard lock(mutex_);
  for (const dynamodb::TableRead& read : usage.tables) {
    metrics::TableMetrics& table = tables_.of(read.consumed.table_name());
    std::vector<std::pair<std::string_view, double>> indexes = read.consumed.global_index_units();
    // A read of a global index alone consumes nothing of the table's capacity: no sample of it.
    double units = read.consumed.table_capacity_units();
    if (units > 0 || indexes.empty()) table.consumed_read(units, now);
    for (const auto& [index, index_units] : indexes) table.consumed_index_read(index, index_units, now);
    table.returned(usage.operation, read.items, now);
    table.latency(usage.operation, latency_ms, now);
  }
}

void RequestMetrics::write_then(std::function<void()> then) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(then));
  }
  wake_.notify_one();
}

void RequestMetrics::run() {
  pthread_setname_np(pthread_self(), "metrics");
  std::unique_lock lock(mutex_);
  for (;;) {
    // Until the next multiple of kInterval on the program's clock, unless asked sooner.
    lines::EpochMs now = lines::now_ms(), interval = kInterval.count();
    auto until_next = std::chrono::milliseconds(interval - (now % interval + interval) % interval);
    wake_.wait_for(lock, until_next, [this] { return stopping_ || !waiting_.empty(); });
    std::vector<std::function<void()>> then;
    then.swap(waiting_);
    bool last = stopping_;
    taken_.move_to(writing_);
    lock.unlock();
    write();
    for (std::function<void()>& f : then) f();
    lock.lock();
    if (last && waiting_.empty()) return;
  }
}

void RequestMetrics::write() {
  if (writing_.empty()) return;
  try {
    metrics::write(env_, &writing_, [](const store::Txn&) {});
  } catch (const std::exception& e) {
    // Kept for the next write (Recorder::rollback). A store that failed says so itself: gw-serve
    // ends with its error.
    if (!warned_ && !env_.failure()) cli::warn("metrics", "not written yet: {}", e.what());
    warned_ = true;
  }
}

std::string_view api_operation(const aws::model::Service& service, std::string_view name) {
  static const std::unordered_map<const aws::model::Operation*, std::string> kNames = [] {
    std::unordered_map<const aws::model::Operation*, std::string> names;
    for (const aws::model::Service* known : {&aws::model::kinesis, &aws::model::dynamodb, &aws::model::cloudwatch})
      for (const aws::model::Operation& operation : known->operations)
        names.emplace(&operation, std::string(known->target_prefix) + "." + std::string(operation.name));
    return names;
  }();
  const aws::model::Operation* operation = service.operation(name);
  auto it = operation ? kNames.find(operation) : kNames.end();
  return it == kNames.end() ? std::string_view{} : std::string_view(it->second);
}

namespace {

// Where a recorded request's answer goes first: its metrics are taken as it passes.
class RecordingSink final : public ResponseSink {
 public:
  RecordingSink(Responder responder, RequestMetrics& metrics, std::string_view operation)
      : responder_(std::move(responder)), metrics_(metrics), operation_(operation), start_(std::chrono::steady_clock::now()) {}

  void deliver(std::uint64_t, Response response) override {
    std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - start_;
    int status = response.status;
    responder_.send(std::move(response));
    metrics_.request(operation_, status, latency.count());
  }

 private:
  Responder responder_;
  RequestMetrics& metrics_;
  std::string_view operation_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

Handler recorded(Handler next, RequestMetrics& metrics, OperationOf operation_of) {
  return [next = std::move(next), &metrics, operation_of = std::move(operation_of)](Request request, Responder responder) {
    auto sink = std::make_shared<RecordingSink>(std::move(responder), metrics, operation_of(request));
    next(std::move(request), Responder(sink, 0));
  };
}

}  // namespace millrace::serve
