#include "serve/request_metrics.h"

#include <pthread.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "cli/diagnostics.h"
#include "lines/time.h"

namespace millrace::serve {

namespace {

std::atomic<std::uint64_t> last_id{0};

}  // namespace

RequestMetrics::RequestMetrics(store::Env& env) : env_(env), id_(++last_id), thread_([this] { run(); }) {}

RequestMetrics::~RequestMetrics() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

RequestMetrics::Part& RequestMetrics::part() {
  thread_local std::uint64_t owner = 0;
  thread_local Part* cached = nullptr;
  if (owner == id_) return *cached;
  std::lock_guard lock(parts_mutex_);
  cached = parts_.emplace_back(std::make_unique<Part>()).get();
  owner = id_;
  return *cached;
}

void RequestMetrics::request(std::string_view operation, int status, double latency_ms, const dynamodb::ReadUsage* reads) {
  lines::EpochMs now = lines::now_ms();
  Part& mine = part();
  std::lock_guard lock(mine.mutex);
  mine.requests.add(operation, status, latency_ms, now);
  if (reads == nullptr) return;
  for (const dynamodb::TableRead& read : reads->tables) {
    std::vector<std::pair<std::string_view, double>> indexes = read.consumed.global_index_units();
    // A read of a global index alone consumes nothing of the table's capacity: no sample of it.
    std::optional<double> units = read.consumed.table_capacity_units();
    if (*units == 0 && !indexes.empty()) units.reset();
    mine.reads.add(read.consumed.table_name(), reads->operation, units, read.items, latency_ms, now);
    for (const auto& [index, index_units] : indexes)
      mine.tables.of(read.consumed.table_name()).consumed_index_read(index, index_units, now);
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
    lock.unlock();
    {
      std::lock_guard parts(parts_mutex_);
      for (const std::unique_ptr<Part>& taken : parts_) {
        std::lock_guard samples(taken->mutex);
        taken->requests.move_to(writing_);
        taken->reads.move_to(writing_);
        taken->recorder.move_to(writing_);
      }
    }
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

namespace {

// Every modelled operation's X-Amz-Target, each text kept once, found by itself.
struct ApiOperations {
  ApiOperations() {
    for (const aws::model::Service* service : {&aws::model::kinesis, &aws::model::dynamodb, &aws::model::cloudwatch})
      for (const aws::model::Operation& operation : service->operations)
        targets.push_back(std::string(service->target_prefix) + "." + std::string(operation.name));
    for (const std::string& target : targets) by_target.emplace(target, target);  // views of `targets`, complete now
  }
  std::vector<std::string> targets;
  std::unordered_map<std::string_view, std::string_view> by_target;
};

}  // namespace

std::string_view api_operation(std::string_view target) {
  static const ApiOperations kKnown;
  thread_local std::string_view last;  // a thread's requests come in runs of one operation
  if (!last.empty() && target == last) return last;
  auto it = kKnown.by_target.find(target);
  if (it == kKnown.by_target.end()) return {};
  last = it->second;
  return last;
}

std::string_view api_operation(const aws::model::Service& service, std::string_view name) {
  std::string target;
  target.append(service.target_prefix).append(".").append(name);
  return api_operation(target);
}

namespace {

// Where a recorded request's answer goes first: its metrics are taken as it passes.
class RecordingSink final : public ResponseSink {
 public:
  RecordingSink(Responder responder, RequestMetrics& metrics, std::string_view operation)
      : responder_(std::move(responder)), metrics_(metrics), operation_(operation), received_(std::chrono::steady_clock::now()) {}

  // `self` goes when this returns: the connection's own reference has gone on with the answer.
  void deliver(std::shared_ptr<ResponseSink> /*self*/, std::uint64_t, Response response) override {
    int status = response.status;
    responder_.send(std::move(response));
    metrics_.request(operation_, status, received_);
  }

 private:
  Responder responder_;
  RequestMetrics& metrics_;
  std::string_view operation_;
  std::chrono::steady_clock::time_point received_;
};

}  // namespace

Responder recording(Responder responder, RequestMetrics& metrics, std::string_view operation) {
  return Responder(std::make_shared<RecordingSink>(std::move(responder), metrics, operation), 0);
}

}  // namespace millrace::serve
