#include "stream/exec.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <simdjson.h>

#include "aws/arn.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/signals.h"
#include "metrics/kinesis.h"
#include "metrics/lambda.h"
#include "metrics/recorder.h"
#include "runtime/pool.h"
#include "store/records.h"
#include "store/sequence.h"
#include "stream/endpoint_shards.h"
#include "stream/failure_record.h"
#include "stream/handler.h"
#include "stream/handler_output.h"
#include "stream/ingest.h"
#include "stream/stream_reader.h"

namespace millrace::stream {
namespace {

// Retries wait this long, doubling up to kMaxBackoffMs, as Lambda backs off between retries.
constexpr std::int64_t kFirstBackoffMs = 50;
constexpr std::int64_t kMaxBackoffMs = 5000;
// While handlers run, the main loop looks for new records this often (it also wakes at once
// when a handler finishes).
constexpr std::int64_t kBusyWaitMs = 10;
// A shard's jobs at its lane: the batch being handled, and the next one read ahead so that the
// lane has its event ready when the batch is done.
constexpr std::size_t kJobsAhead = 2;
// A batch's Lambda event stays within Lambda's 6 MB invocation payload (but a batch always
// has one record): each record counts its data in base64 and its partition key, and a bound
// on the rest of its entry (the ids, ARNs and times of the event's shape, some 400 bytes).
constexpr std::size_t kMaxEventBytes = runtime::kMaxPayloadBytes - (64 << 10);
constexpr std::size_t kRecordEntryBytes = 512;
std::size_t event_bytes(std::string_view data, std::string_view partition_key) {
  return (data.size() + 2) / 3 * 4 + partition_key.size() + kRecordEntryBytes;
}

// A record of a batch, read from a store directory or from an endpoint. An endpoint's record
// has the service's shard id and sequence number; its position then only numbers it in its
// shard's order (the index of the shard, a counter), for the lanes' bookkeeping.
struct OwnedRecord {
  store::Position position;
  lines::EpochMs arrival_ms;
  std::string partition_key, data;
  bool json;
  std::string remote_shard, remote_sequence;  // from an endpoint; else empty

  bool remote() const { return !remote_shard.empty(); }
  std::string shard_label() const { return remote() ? remote_shard : store::shard_id(position.shard); }
  std::string sequence() const { return remote() ? remote_sequence : store::format_sequence(position); }
  // Whether `id`, an itemIdentifier of a partial batch response, is this record's sequence number.
  bool named_by(std::string_view id) const {
    if (remote()) return id == remote_sequence;
    auto named = store::parse_sequence(id);
    return named && *named == position;
  }
  // Calls `f` with the record as the formats take it (formats.h).
  template <class F>
  void visit(F&& f) const {
    if (remote())
      f(RemoteRecord{remote_shard, remote_sequence, partition_key, data, arrival_ms, json});
    else
      f(store::Record{position, arrival_ms, partition_key, data, json});
  }
};

// Where the failure records of --on-failure go: a stream of the store directory, or of the
// endpoint.
class FailureStream {
 public:
  virtual ~FailureStream() = default;
  // Appends `line`, keyed by `key` (the batch's shard id).
  virtual void put(const std::string& key, const std::string& line) = 0;
};

class StoreFailureStream final : public FailureStream {
 public:
  StoreFailureStream(store::Env& env, store::Notifier& notifier, const std::string& stream)
      : producer_(env, notifier, stream), puts_(recorder_, stream) {}
  void put(const std::string& key, const std::string& line) override {
    store::Put put{md5_(key), key, line, true};
    puts_.append(producer_, {&put, 1}, placed_);
  }

 private:
  store::Producer producer_;
  metrics::Recorder recorder_;  // the failure stream's IncomingRecords
  metrics::StreamPuts puts_;
  store::Md5 md5_;
  std::vector<store::Position> placed_;
};

class EndpointFailureStream final : public FailureStream {
 public:
  EndpointFailureStream(const aws::StoreSpec& store, std::string stream) : kinesis_(store), stream_(std::move(stream)) {}
  void put(const std::string& key, const std::string& line) override {
    aws::PutEntry entry{key, line, {}};
    put_all(kinesis_, stream_, {&entry, 1}, results_);
  }

 private:
  aws::KinesisClient kinesis_;  // the worker thread's own connection
  std::string stream_;
  std::vector<aws::PutResult> results_;
};

struct Job {
  std::uint32_t shard;
  std::vector<OwnedRecord> records;
};

struct Done {
  std::uint32_t shard;
  std::uint64_t next;     // the shard's position after the job, when `count` is not 0
  std::uint64_t count;    // records handled or sent to the failure stream
  std::uint64_t undone;   // records of the job left for later (a stop came)
  std::vector<metrics::Invocation> invocations;  // the runs of the handler on it
};

// A worker's queue: the jobs of the one shard it handles, in order, the front one being handled
// (the next one, read ahead, is prepared meanwhile); and what its invocations of warm runtimes
// come back to. Shared with the pool's callbacks, which may outlive the worker.
struct Lane {
  std::mutex mutex;            // guards everything here, and the lane's Pending outcomes
  std::condition_variable cv;  // a job came, an outcome came, or closing
  std::deque<Job> jobs;        // only the worker pops: references to its jobs stay valid
  bool closing = false;
};

// An invocation of a warm runtime in progress; its outcome comes on one of the pool's threads.
struct Pending {
  struct Successor {
    std::string event, label;
    std::shared_ptr<Pending> pending;
    lines::EpochMs first_arrival_ms;
  };
  // Guarded by the lane's mutex.
  std::optional<runtime::Outcome> outcome;
  bool invoked = false;  // begun as a successor: the pool has it
  // The next job's first invocation, offered by the worker while this one runs, to be handed to
  // the pool from the pool's own thread the moment this one succeeds for the whole batch: the
  // runtime then finds it waiting when it asks for its next event.
  std::optional<Successor> successor;
};

// A warm runtime's outcome for the whole of a batch, with nothing left to retry: a success
// without a partial batch response, or with an empty one.
bool succeeded_whole(const runtime::Outcome& outcome) {
  if (outcome.status != runtime::Outcome::Status::ok) return false;
  // Most handlers return nothing (null): no need to parse that.
  if (outcome.payload.find("batchItemFailures") == std::string::npos) return true;
  auto failures = parse_batch_response(outcome.payload);
  return !failures || failures->empty();
}

// Hands `event` to the pool, its outcome to go to `pending`. On the pool's thread, a whole
// success begins the successor offered meanwhile (unless a stop came, or its records are too
// old: the worker then deals with it).
void begin(runtime::Pool& pool, const std::shared_ptr<Lane>& lane, const std::shared_ptr<Pending>& pending,
           std::string event, std::string label, std::int64_t max_age_ms) {
  pool.invoke(std::move(event), std::move(label), [&pool, lane, pending, max_age_ms](runtime::Outcome outcome) {
    std::optional<Pending::Successor> next;
    {
      std::lock_guard lock(lane->mutex);
      if (pending->successor && succeeded_whole(outcome) && !cli::stop_requested() &&
          lines::now_ms() - pending->successor->first_arrival_ms <= max_age_ms) {
        next = std::move(pending->successor);
        pending->successor.reset();
        next->pending->invoked = true;  // with the outcome: the worker sees both or neither
      }
      pending->outcome = std::move(outcome);
    }
    if (next) begin(pool, lane, next->pending, std::move(next->event), std::move(next->label), max_age_ms);
    lane->cv.notify_all();
  });
}

// Handles the jobs of one lane with retries, bisection, partial responses and the failure
// stream.
class BatchHandler {
 public:
  // `failures`: null without --on-failure.
  BatchHandler(std::unique_ptr<FailureStream> failures, const ConsumeOptions& options, const ExecOptions& exec,
               std::int64_t max_age_ms, runtime::Pool* runtimes, std::shared_ptr<Lane> lane)
      : options_(options),
        exec_(exec),
        max_age_ms_(max_age_ms),
        runtimes_(runtimes),
        lane_(std::move(lane)),
        function_name_(exec.function ? exec.function->name : options.source.group.value_or(options.source.stream)),
        region_(aws::region()),
        out_(STDOUT_FILENO),
        lambda_(options.source),
        failures_(std::move(failures)) {}

  // The runs of the handler since the last call.
  std::vector<metrics::Invocation> take_invocations() { return std::exchange(invocations_, {}); }

  // Handles `job`; returns how many of its records, from the front, are done (handled or sent
  // to the failure stream): all of them, unless a stop signal came while it was being retried,
  // or before it began (none then).
  std::size_t handle(const Job& job) {
    job_ = job.records;
    // What was made ready for this job while the one before it ran: its first invocation, begun
    // already, or its event.
    std::shared_ptr<Pending> begun;
    if (prepared_ && prepared_->first == job_.front().position && prepared_->count == job_.size()) {
      std::lock_guard lock(lane_->mutex);
      if (prepared_->pending->invoked) begun = prepared_->pending;
      else ready_event_ = std::move(prepared_->event);
    }
    prepared_.reset();  // from now on, only ever the next job's
    std::size_t done = 0;
    if (begun || !cli::stop_requested()) done = handle(job_, std::move(begun));  // else: after a restart
    ready_event_.clear();
    return done;
  }

 private:
  // `begun`: the batch's invocation, already at a runtime (its records' age checked then).
  std::size_t handle(std::span<const OwnedRecord> batch, std::shared_ptr<Pending> begun = nullptr) {
    std::size_t done = 0;
    std::uint32_t attempts = 0;
    std::int64_t backoff = kFirstBackoffMs;
    while (done < batch.size()) {
      std::span<const OwnedRecord> rest = batch.subspan(done);
      if (!begun) {
        // Records past their age go to the failure stream; arrival times never decrease in a
        // shard, so they are a prefix of the batch.
        lines::EpochMs now = lines::now_ms();
        std::size_t expired = 0;
        while (expired < rest.size() && now - rest[expired].arrival_ms > max_age_ms_) ++expired;
        if (expired > 0) {
          fail(rest.first(expired), kRecordAgeExceeded, attempts, "");
          done += expired;
          continue;
        }
        if (attempts > 0 && cli::stop_requested()) return done;  // the rest is handled after a restart
      }
      ++attempts;
      metrics::Invocation invocation;
      invocation.at = lines::now_ms();
      invocation.iterator_age_ms = std::max<lines::EpochMs>(0, invocation.at - rest.back().arrival_ms);
      auto started = std::chrono::steady_clock::now();
      Result result = begun ? wait_for(std::exchange(begun, nullptr), rest) : invoke(rest);
      if (result.stopped) return done;  // it did not run: handled after a restart
      invocation.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      invocation.error = result.status != HandlerResult::Status::ok;
      invocations_.push_back(invocation);
      if (result.status == HandlerResult::Status::ok) {
        if (result.item_failures.empty()) return batch.size();
        done += first_failure(rest, result.item_failures);  // the records before the first failure are done
      } else {
        cli::warn(rest.front().shard_label(), "handler {} (batch of {} from {})", result.describe(), rest.size(),
                  rest.front().sequence());
      }
      rest = batch.subspan(done);
      if (rest.size() > 1 && exec_.bisect) {
        std::size_t half = rest.size() / 2;
        std::size_t first = handle(rest.first(half));
        done += first;
        if (first < half) return done;
        return done + handle(rest.subspan(half));
      }
      if (exec_.retries && attempts > *exec_.retries) {
        fail(rest, kRetryAttemptsExhausted, attempts,
             result.status == HandlerResult::Status::ok ? std::string_view{} : kUnhandled);
        return batch.size();
      }
      sleep_ms(backoff);
      backoff = std::min(backoff * 2, kMaxBackoffMs);
    }
    return done;
  }

  struct Result : HandlerResult {
    bool stopped = false;  // a warm runtime's pool closed before it ran
  };

  std::string input_of(std::span<const OwnedRecord> batch) {
    std::string input;
    if (exec_.format == OutputFormat::lambda) lambda_.begin(input);
    bool first = true;
    for (const OwnedRecord& record : batch) {
      switch (exec_.format) {
        case OutputFormat::lambda: record.visit([&](const auto& r) { lambda_.add(input, r, first); }); break;
        case OutputFormat::envelope: record.visit([&](const auto& r) { append_envelope(input, r, options_.source); }); break;
        case OutputFormat::data: record.visit([&](const auto& r) { append_data(input, r); }); break;
      }
      first = false;
    }
    if (exec_.format == OutputFormat::lambda) lambda_.end(input);
    return input;
  }

  Result invoke(std::span<const OwnedRecord> batch) {
    std::string label = batch.front().shard_label();
    if (!runtimes_) {
      std::string input = input_of(batch);
      return {run_handler(exec_.command, input, exec_.timeout_ms, label, out_)};
    }
    std::string event;
    if (batch.data() == job_.data() && batch.size() == job_.size() && !ready_event_.empty())
      event = std::move(ready_event_);  // built while the job before it ran
    else
      event = input_of(batch);
    auto pending = std::make_shared<Pending>();
    begin(*runtimes_, lane_, pending, std::move(event), std::move(label), max_age_ms_);
    return wait_for(pending, batch);
  }

  // Waits for a warm runtime's outcome for `batch`. Meanwhile, when the batch runs to the end of
  // its job, the lane's next job gets its event built, and offered to begin as soon as this
  // one succeeds (see begin()).
  Result wait_for(const std::shared_ptr<Pending>& pending, std::span<const OwnedRecord> batch) {
    bool tail = batch.data() + batch.size() == job_.data() + job_.size();
    std::unique_lock lock(lane_->mutex);
    bool offered = !tail;
    if (tail && prepared_ && !prepared_->event.empty()) {  // built during an attempt before this one
      offer(*pending, std::move(prepared_->event));
      offered = true;
    }
    while (!pending->outcome) {
      if (!offered && lane_->jobs.size() > 1) {
        offered = true;
        const Job& next = lane_->jobs[1];
        lock.unlock();
        std::string event = input_of(next.records);
        lock.lock();
        prepared_ = Prepared{next.records.front().position, next.records.front().shard_label(), next.records.size(), {},
                             std::make_shared<Pending>(), next.records.front().arrival_ms};
        if (pending->outcome) prepared_->event = std::move(event);
        else offer(*pending, std::move(event));
        continue;
      }
      lane_->cv.wait(lock);
    }
    if (pending->successor) {  // not begun: kept for the next job's first attempt
      prepared_->event = std::move(pending->successor->event);
      pending->successor.reset();
    }
    runtime::Outcome outcome = std::move(*pending->outcome);
    lock.unlock();
    return handler_result(outcome);
  }

  // Under the lane's lock.
  void offer(Pending& pending, std::string event) {
    pending.successor = Pending::Successor{std::move(event), prepared_->label, prepared_->pending,
                                           prepared_->first_arrival_ms};
  }

  // A warm runtime's outcome as a handler's result: a partial batch response is read as such,
  // another return value but null goes to stdout as a JSON line.
  Result handler_result(const runtime::Outcome& outcome) {
    Result result{{HandlerResult::Status::ok, 0, {}, {}}};
    if (outcome.status != runtime::Outcome::Status::ok) {
      result.status = outcome.status == runtime::Outcome::Status::timed_out ? HandlerResult::Status::timed_out
                                                                             : HandlerResult::Status::failed;
      result.stopped = outcome.status == runtime::Outcome::Status::stopped;
      result.error = outcome.describe();
      return result;
    }
    if (auto failures = parse_batch_response(outcome.payload)) {
      result.item_failures = std::move(*failures);
      return result;
    }
    write_return_value(outcome.payload);
    return result;
  }

  void write_return_value(std::string_view payload) {
    std::string& buffer = out_.buffer();
    std::size_t start = buffer.size();
    buffer.resize(start + payload.size() + 1);
    std::size_t length = 0;
    // Compact, so that it is one line; what is not JSON (a custom runtime's text) goes as it is.
    if (simdjson::minify(payload.data(), payload.size(), buffer.data() + start, length) != simdjson::SUCCESS) {
      std::copy(payload.begin(), payload.end(), buffer.begin() + static_cast<std::ptrdiff_t>(start));
      length = payload.size();
    }
    buffer.resize(start + length);
    std::string_view value(buffer.data() + start, length);
    if (value.empty() || value == "null") {
      buffer.resize(start);
      return;
    }
    buffer.push_back('\n');
    out_.flush();
  }

  // How many records precede the lowest sequence number the handler reported as failed; 0 when
  // an identifier names no record of the batch (Lambda then fails the whole batch).
  static std::size_t first_failure(std::span<const OwnedRecord> batch, const std::vector<std::string>& failures) {
    std::size_t first = batch.size();
    for (const std::string& id : failures) {
      auto it = std::find_if(batch.begin(), batch.end(), [&](const OwnedRecord& r) { return r.named_by(id); });
      if (it == batch.end()) return 0;
      first = std::min(first, static_cast<std::size_t>(it - batch.begin()));
    }
    return first;
  }

  void fail(std::span<const OwnedRecord> batch, std::string_view condition, std::uint32_t attempts,
            std::string_view function_error) {
    const OwnedRecord& first = batch.front();
    const OwnedRecord& last = batch.back();
    cli::warn(first.shard_label(), "{} records from {} to {} given up ({})", batch.size(), first.sequence(),
              last.sequence(), condition);
    if (!failures_) return;
    FailedBatch failed{function_name_,
                       region_,
                       options_.source.stream,
                       first.shard_label(),
                       first.sequence(),
                       last.sequence(),
                       first.arrival_ms,
                       last.arrival_ms,
                       lines::now_ms(),
                       static_cast<std::uint32_t>(batch.size()),
                       attempts,
                       std::string(condition),
                       std::string(function_error)};
    failures_->put(failed.shard_id, failure_record_json(failed));
  }

  static void sleep_ms(std::int64_t ms) {
    // In slices, so that a stop signal is noticed.
    for (std::int64_t slept = 0; slept < ms && !cli::stop_requested(); slept += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(50, ms - slept)));
  }

  // The next job's first invocation, made ready while the job before it ran.
  struct Prepared {
    store::Position first;  // its batch: the job's records
    std::string label;      // the first record's shard id
    std::size_t count;
    std::string event;                 // built, not handed to the pool yet
    std::shared_ptr<Pending> pending;  // its invocation, once begun
    lines::EpochMs first_arrival_ms;
  };

  const ConsumeOptions& options_;
  const ExecOptions& exec_;
  std::int64_t max_age_ms_;
  runtime::Pool* runtimes_;  // null: run exec_.command for each batch
  std::shared_ptr<Lane> lane_;
  std::span<const OwnedRecord> job_;  // the job being handled
  std::string ready_event_;           // its whole batch's event, built ahead
  std::optional<Prepared> prepared_;  // the lane's next job's
  std::string function_name_;  // as Lambda's FunctionName: the group, else the stream
  std::string region_;
  lines::Writer out_;
  LambdaEvent lambda_;
  std::unique_ptr<FailureStream> failures_;  // null without --on-failure
  std::vector<metrics::Invocation> invocations_;
};

// The worker threads, one a lane, each with its own BatchHandler.
class Workers {
 public:
  using MakeHandler = std::function<std::unique_ptr<BatchHandler>(std::shared_ptr<Lane>)>;
  Workers(std::uint32_t count, const MakeHandler& make) {
    for (std::uint32_t i = 0; i < count; ++i) {
      auto lane = std::make_shared<Lane>();
      lanes_.push_back(lane);
      threads_.emplace_back([this, lane, handler = make(lane)] { run(*lane, *handler); });
    }
  }
  ~Workers() {
    for (auto& lane : lanes_) {
      {
        std::lock_guard lock(lane->mutex);
        lane->closing = true;
      }
      lane->cv.notify_all();
    }
    for (std::thread& t : threads_) t.join();
  }

  std::size_t lanes() const { return lanes_.size(); }
  // Queues `job` on lane `lane`, whose jobs are all of the job's shard.
  void submit(std::size_t lane, Job job) {
    Lane& l = *lanes_.at(lane);
    {
      std::lock_guard lock(l.mutex);
      l.jobs.push_back(std::move(job));
    }
    l.cv.notify_all();
  }
  // Finished jobs, in the order of each lane's, waiting up to `timeout_ms` for one when none
  // is. Rethrows a worker's failure.
  std::vector<Done> finished(std::int64_t timeout_ms) {
    std::unique_lock lock(mutex_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return !done_.empty() || failure_; });
    if (failure_) std::rethrow_exception(failure_);
    std::vector<Done> out(done_.begin(), done_.end());
    done_.clear();
    return out;
  }

 private:
  void run(Lane& lane, BatchHandler& handler) {
    for (;;) {
      const Job* job = nullptr;
      {
        std::unique_lock lock(lane.mutex);
        lane.cv.wait(lock, [&] { return lane.closing || !lane.jobs.empty(); });
        if (lane.jobs.empty()) return;
        job = &lane.jobs.front();
      }
      std::vector<Done> done;
      try {
        std::size_t count = handler.handle(*job);
        std::uint64_t next = job->records.front().position.counter + count;
        done.push_back({job->shard, next, count, job->records.size() - count, handler.take_invocations()});
        std::lock_guard lock(lane.mutex);
        lane.jobs.pop_front();
        // A job stopped short: the jobs read after it are left, the shard stays where it stopped.
        if (done.back().undone)
          for (; !lane.jobs.empty(); lane.jobs.pop_front())
            done.push_back({lane.jobs.front().shard, next, 0, lane.jobs.front().records.size(), {}});
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
        done_cv_.notify_all();
        return;
      }
      {
        std::lock_guard lock(mutex_);
        done_.insert(done_.end(), done.begin(), done.end());
      }
      done_cv_.notify_all();
    }
  }

  std::vector<std::shared_ptr<Lane>> lanes_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::deque<Done> done_;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;
};

}  // namespace

std::uint64_t consume_exec(store::Env& env, store::Notifier& notifier, const ConsumeOptions& options,
                           const ExecOptions& exec) {
  StreamReader positions(env, options);
  store::ReadTxn reader(env);
  std::uint32_t stream_id = positions.start(reader.renew());
  // Without a retry limit a batch is retried until its records expire (Lambda's default):
  // their age then passes the retention.
  std::int64_t max_age_ms = exec.max_record_age_ms.value_or(INT64_MAX);
  if (!exec.retries) max_age_ms = std::min(max_age_ms, store::stream_or_throw(reader.renew(), options.source.stream).retention_ms);
  if (exec.on_failure) store::stream_or_throw(reader.renew(), *exec.on_failure);
  reader.reset();

  std::optional<runtime::Pool> runtimes;
  if (exec.function) runtimes.emplace(*exec.function, exec.parallel);
  Workers workers(exec.parallel, [&](std::shared_ptr<Lane> lane) {
    std::unique_ptr<FailureStream> failures;
    if (exec.on_failure) failures = std::make_unique<StoreFailureStream>(env, notifier, *exec.on_failure);
    return std::make_unique<BatchHandler>(std::move(failures), options, exec, max_age_ms,
                                          runtimes ? &*runtimes : nullptr, std::move(lane));
  });
  // The shards with jobs at a lane: a batch being handled and at most one read ahead.
  struct InFlight {
    std::size_t lane;
    std::size_t jobs;
    std::uint64_t next;  // where the shard's next job begins
  };
  std::map<std::uint32_t, InFlight> in_flight;
  std::vector<bool> lane_busy(workers.lanes(), false);
  std::uint64_t total = 0, total_bytes = 0;
  // A group's metrics, written by its checkpoints: its reads, and its function's runs.
  std::optional<metrics::GetRecords> get_records;
  std::optional<metrics::FunctionMetrics> function;
  if (metrics::Recorder* recorder = positions.recorder()) {
    get_records.emplace(*recorder, options.source.stream);
    function.emplace(*recorder, *options.source.group);
  }
  auto delivered = [&](const Done& done) {
    // A job that a stop left whole moves nothing: one before it may have stopped short.
    if (done.count > 0) positions.delivered(done.shard, done.next);
    if (function)
      for (const metrics::Invocation& invocation : done.invocations) function->add(invocation);
  };
  lines::EpochMs last_news = lines::now_ms();
  bool closed = false;
  while (!cli::stop_requested() || !in_flight.empty()) {
    // A stop: what waits for a runtime (a restart's back-off) ends now, not when it would begin.
    if (cli::stop_requested() && runtimes && !std::exchange(closed, true)) runtimes->close();
    std::uint32_t epoch = notifier.epoch(stream_id);
    std::int64_t wait_ms = store::kLongestFollowerWaitMs;
    bool window_pending = false;  // a batch waits for its window to fill
    std::size_t dispatched = 0;
    if (!cli::stop_requested() && !(options.limit != 0 && total >= options.limit)) {
      store::Txn txn = positions.begin_poll(reader);
      lines::EpochMs now = lines::now_ms();
      if (auto due = positions.leases_due_in(now)) wait_ms = std::min(wait_ms, *due);
      for (const store::ShardMeta& shard : positions.shards()) {
        auto flying = in_flight.find(shard.index);
        bool ahead = flying != in_flight.end();
        if (ahead ? flying->second.jobs >= kJobsAhead : in_flight.size() >= workers.lanes()) continue;
        if (!positions.may_read(shard)) continue;
        std::uint64_t position = ahead ? flying->second.next : positions.position(shard);
        store::ShardCursor cursor(txn, stream_id, shard.index);
        if (position >= shard.next_counter || !cursor.seek(position)) continue;
        std::uint64_t available = shard.next_counter - cursor.record().position.counter;
        // A batch waits for the batch window to fill, counted from its first record's arrival.
        if (exec.batch_window_ms && available < options.batch_size) {
          std::int64_t left = cursor.record().arrival_ms + *exec.batch_window_ms - now;
          if (left > 0) {
            wait_ms = std::min(wait_ms, left);
            window_pending = true;
            continue;
          }
        }
        Job job{shard.index, {}};
        std::uint64_t room = options.limit != 0 ? options.limit - total : UINT64_MAX;
        std::size_t bytes = 0, taken_bytes = 0;
        job.records.reserve(std::min<std::uint64_t>({options.batch_size, room, available}));
        for (bool more = true; more && job.records.size() < std::min<std::uint64_t>(options.batch_size, room);
             more = cursor.next()) {
          const store::Record& r = cursor.record();
          bytes += event_bytes(r.data, r.partition_key);
          if (!job.records.empty() && bytes > kMaxEventBytes) break;
          job.records.push_back({r.position, r.arrival_ms, std::string(r.partition_key), std::string(r.data), r.json, {}, {}});
          taken_bytes = bytes;
        }
        total += job.records.size();
        total_bytes += taken_bytes;
        if (get_records) {
          std::uint64_t data = 0;
          for (const OwnedRecord& r : job.records) data += r.data.size();
          get_records->add(job.records.size(), data, job.records.back().arrival_ms, now);
        }
        if (!ahead) {
          std::size_t lane = static_cast<std::size_t>(std::find(lane_busy.begin(), lane_busy.end(), false) - lane_busy.begin());
          lane_busy[lane] = true;
          flying = in_flight.emplace(shard.index, InFlight{lane, 0, 0}).first;
        }
        flying->second.jobs++;
        flying->second.next = job.records.back().position.counter + 1;
        workers.submit(flying->second.lane, std::move(job));
        ++dispatched;
      }
      reader.reset();
    }
    // Checkpointing after handing out the next batches overlaps the commit's fsync with them.
    positions.checkpoint();
    std::vector<Done> finished = workers.finished(!in_flight.empty() ? kBusyWaitMs : 0);
    for (const Done& done : finished) {
      auto flying = in_flight.find(done.shard);
      if (--flying->second.jobs == 0) {
        lane_busy[flying->second.lane] = false;
        in_flight.erase(flying);
      }
      total -= done.undone;
      delivered(done);
      last_news = lines::now_ms();
    }
    if (dispatched > 0 && options.progress) options.progress(total, total_bytes, false);
    if (!finished.empty() || !in_flight.empty() || dispatched > 0) continue;
    // Nothing running and nothing new.
    if (options.progress) options.progress(total, total_bytes, true);
    if (cli::stop_requested() || (options.limit != 0 && total >= options.limit)) break;
    if (!options.follow && !window_pending) break;  // drained
    if (options.idle_exit_ms) {
      std::int64_t left = last_news + *options.idle_exit_ms - lines::now_ms();
      if (left <= 0) break;
      wait_ms = std::min(wait_ms, left);
    }
    notifier.wait(stream_id, epoch, wait_ms);
  }
  for (const Done& done : workers.finished(0)) delivered(done);
  positions.checkpoint();
  return total;
}

std::uint64_t consume_exec(const aws::StoreSpec& store, EndpointGroup* group, const ConsumeOptions& options,
                           const ExecOptions& exec) {
  if (exec.batch_window_ms)
    throw cli::Error(cli::Exit::unavailable, store.text,
                     "--batch-window on an endpoint is still to come: there each GetRecords' records make a batch");
  aws::KinesisClient kinesis(store);
  if (exec.on_failure) kinesis.list_shards(*exec.on_failure);  // a missing one: exit 66 before reading
  EndpointShards reader(kinesis, group, options);
  reader.start();
  std::int64_t max_age_ms = exec.max_record_age_ms.value_or(INT64_MAX);
  if (!exec.retries) max_age_ms = std::min(max_age_ms, kEndpointRetentionMs);

  std::optional<runtime::Pool> runtimes;
  if (exec.function) runtimes.emplace(*exec.function, exec.parallel);
  Workers workers(exec.parallel, [&](std::shared_ptr<Lane> lane) {
    std::unique_ptr<FailureStream> failures;
    if (exec.on_failure) failures = std::make_unique<EndpointFailureStream>(store, *exec.on_failure);
    return std::make_unique<BatchHandler>(std::move(failures), options, exec, max_age_ms,
                                          runtimes ? &*runtimes : nullptr, std::move(lane));
  });
  // The shards (by their index in reader.shards()) with jobs at a lane, and the sequence numbers
  // of their records at the lanes, by the counter that numbers them in their shard.
  struct InFlight {
    std::size_t lane;
    std::size_t jobs = 0;
  };
  std::map<std::uint32_t, InFlight> in_flight;
  std::map<std::uint32_t, std::map<std::uint64_t, std::string>> sequences;
  std::map<std::uint32_t, std::uint64_t> counters;
  std::vector<bool> lane_busy(workers.lanes(), false);
  simdjson::dom::parser parser;
  std::uint64_t total = 0, total_bytes = 0;
  auto handled = [&](const Done& done) {
    auto flying = in_flight.find(done.shard);
    if (--flying->second.jobs == 0) {
      lane_busy[flying->second.lane] = false;
      in_flight.erase(flying);
    }
    total -= done.undone;
    if (done.count == 0) return;  // a job that a stop left whole moves nothing
    std::map<std::uint64_t, std::string>& numbered = sequences[done.shard];
    std::string last = numbered.at(done.next - 1);
    numbered.erase(numbered.begin(), numbered.lower_bound(done.next));
    EndpointShard& shard = reader.shards()[done.shard];
    if (shard.drained && numbered.empty()) shard.finished = true;
    reader.checkpoint(shard, last);
  };
  using Clock = EndpointShards::Clock;
  Clock::time_point last_news = Clock::now();
  bool closed = false;
  while (!cli::stop_requested() || !in_flight.empty()) {
    // A stop: what waits for a runtime (a restart's back-off) ends now, not when it would begin.
    if (cli::stop_requested() && runtimes && !std::exchange(closed, true)) runtimes->close();
    std::size_t dispatched = 0;
    bool drained = false;
    if (!cli::stop_requested() && !(options.limit != 0 && total >= options.limit)) {
      reader.renew_if_due();
      std::deque<EndpointShard>& shards = reader.shards();
      for (std::uint32_t index = 0; index < shards.size() && in_flight.size() < workers.lanes(); ++index) {
        EndpointShard& shard = shards[index];
        if (in_flight.contains(index) || !reader.pollable(shard, Clock::now())) continue;
        std::uint64_t room = options.limit != 0 ? options.limit - total : UINT64_MAX;
        auto limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(room, kGetRecordsLimit));
        const aws::FetchedRecords& fetched = reader.poll(shard, limit);
        drained = drained || shard.drained;
        if (fetched.records.empty()) {
          if (shard.drained) {
            shard.finished = true;
            reader.checkpoint(shard, {});
          }
          continue;
        }
        std::size_t lane = static_cast<std::size_t>(std::find(lane_busy.begin(), lane_busy.end(), false) - lane_busy.begin());
        lane_busy[lane] = true;
        InFlight& flying = in_flight.emplace(index, InFlight{lane}).first->second;
        std::uint64_t& counter = counters[index];
        // The records of a GetRecords make batches of up to --batch-size records whose event
        // stays within Lambda's payload limit, handled in order at the shard's lane.
        Job job{index, {}};
        std::size_t bytes = 0;
        for (const aws::FetchedRecord& r : fetched.records) {
          std::size_t size = event_bytes(r.data, r.partition_key);
          if (!job.records.empty() && (job.records.size() >= options.batch_size || bytes + size > kMaxEventBytes)) {
            ++flying.jobs;
            workers.submit(lane, std::exchange(job, Job{index, {}}));
            bytes = 0;
          }
          bytes += size;
          total_bytes += size;
          bool json = exec.format != OutputFormat::data && is_json(parser, r.data);
          sequences[index].emplace(counter, r.sequence);
          job.records.push_back({{index, counter++}, r.arrival_ms, r.partition_key, r.data, json, shard.info.id, r.sequence});
        }
        ++flying.jobs;
        workers.submit(lane, std::move(job));
        total += fetched.records.size();
        ++dispatched;
      }
    }
    std::vector<Done> finished = workers.finished(!in_flight.empty() ? kBusyWaitMs : 0);
    for (const Done& done : finished) handled(done);
    if (!finished.empty()) last_news = Clock::now();
    if (drained) reader.refresh();
    if (dispatched > 0 && options.progress) options.progress(total, total_bytes, false);
    if (!finished.empty() || !in_flight.empty() || dispatched > 0 || drained) continue;
    // Nothing running and nothing new.
    if (cli::stop_requested() || (options.limit != 0 && total >= options.limit)) break;
    if (reader.caught_up()) {
      if (options.progress) options.progress(total, total_bytes, true);
      if (!options.follow) break;
      if (options.idle_exit_ms && Clock::now() - last_news >= std::chrono::milliseconds(*options.idle_exit_ms)) break;
    }
    std::this_thread::sleep_until(reader.next_due());
  }
  for (const Done& done : workers.finished(0)) handled(done);
  return total;
}

}  // namespace millrace::stream
