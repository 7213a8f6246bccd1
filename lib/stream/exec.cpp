#include "stream/exec.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <mutex>
#include <thread>
#include <utility>

#include <simdjson.h>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/signals.h"
#include "metrics/kinesis.h"
#include "metrics/lambda.h"
#include "metrics/recorder.h"
#include "runtime/pool.h"
#include "store/records.h"
#include "store/sequence.h"
#include "stream/failure_record.h"
#include "stream/handler.h"
#include "stream/handler_output.h"
#include "stream/stream_reader.h"

namespace millrace::stream {
namespace {

// Retries wait this long, doubling up to kMaxBackoffMs, as Lambda backs off between retries.
constexpr std::int64_t kFirstBackoffMs = 50;
constexpr std::int64_t kMaxBackoffMs = 5000;
// While handlers run, the main loop looks for new records this often (it also wakes at once
// when a handler finishes).
constexpr std::int64_t kBusyWaitMs = 10;
constexpr std::int64_t kLongestWaitMs = 1000;
// A batch's Lambda event stays within Lambda's 6 MB invocation payload (but a batch always
// has one record): each record counts its data in base64 and its partition key, and a bound
// on the rest of its entry (the ids, ARNs and times of the event's shape, some 400 bytes).
constexpr std::size_t kMaxEventBytes = runtime::kMaxPayloadBytes - (64 << 10);
constexpr std::size_t kRecordEntryBytes = 512;
std::size_t event_bytes(const store::Record& record) {
  return (record.data.size() + 2) / 3 * 4 + record.partition_key.size() + kRecordEntryBytes;
}

struct OwnedRecord {
  store::Position position;
  lines::EpochMs arrival_ms;
  std::string partition_key, data;
  bool json;
  store::Record view() const { return {position, arrival_ms, partition_key, data, json}; }
};

struct Job {
  std::uint32_t shard;
  std::vector<OwnedRecord> records;
};

struct Done {
  std::uint32_t shard;
  std::uint64_t next;   // the shard's position after the batch
  std::uint64_t count;  // records handled or sent to the failure stream
  std::vector<metrics::Invocation> invocations;  // the runs of the handler on it
};

// Handles one batch with retries, bisection, partial responses and the failure stream.
class BatchHandler {
 public:
  BatchHandler(store::Env& env, store::Notifier& notifier, const ConsumeOptions& options, const ExecOptions& exec,
               std::int64_t max_age_ms, runtime::Pool* runtimes)
      : options_(options),
        exec_(exec),
        max_age_ms_(max_age_ms),
        runtimes_(runtimes),
        out_(STDOUT_FILENO),
        lambda_(options.source) {
    if (exec_.on_failure) {
      failures_.emplace(env, notifier, *exec_.on_failure);
      failure_puts_.emplace(failure_recorder_, *exec_.on_failure);
    }
  }

  // The runs of the handler since the last call.
  std::vector<metrics::Invocation> take_invocations() { return std::exchange(invocations_, {}); }

  // Handles `batch`; returns how many of its records, from the front, are done (handled or sent
  // to the failure stream): all of them, unless a stop signal came while it was being retried.
  std::size_t handle(std::span<const OwnedRecord> batch) {
    std::size_t done = 0;
    std::uint32_t attempts = 0;
    std::int64_t backoff = kFirstBackoffMs;
    while (done < batch.size()) {
      std::span<const OwnedRecord> rest = batch.subspan(done);
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
      ++attempts;
      HandlerResult result = invoke(rest);
      if (result.status == HandlerResult::Status::ok) {
        if (result.item_failures.empty()) return batch.size();
        done += first_failure(rest, result.item_failures);  // the records before the first failure are done
      } else {
        cli::warn(store::shard_id(rest.front().position.shard), "handler {} (batch of {} from {})", result.describe(),
                  rest.size(), store::format_sequence(rest.front().position));
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

 private:
  HandlerResult invoke(std::span<const OwnedRecord> batch) {
    std::string input;
    if (exec_.format == OutputFormat::lambda) lambda_.begin(input);
    bool first = true;
    for (const OwnedRecord& record : batch) {
      switch (exec_.format) {
        case OutputFormat::lambda: lambda_.add(input, record.view(), first); break;
        case OutputFormat::envelope: append_envelope(input, record.view(), options_.source); break;
        case OutputFormat::data: append_data(input, record.view()); break;
      }
      first = false;
    }
    if (exec_.format == OutputFormat::lambda) lambda_.end(input);
    std::string label = store::shard_id(batch.front().position.shard);
    metrics::Invocation invocation;
    invocation.at = lines::now_ms();
    invocation.iterator_age_ms = std::max<lines::EpochMs>(0, invocation.at - batch.back().arrival_ms);
    auto started = std::chrono::steady_clock::now();
    HandlerResult result = runtimes_ ? handler_result(runtimes_->invoke(std::move(input), std::move(label)))
                                     : run_handler(exec_.command, input, exec_.timeout_ms, label, out_);
    invocation.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    invocation.error = result.status != HandlerResult::Status::ok;
    invocations_.push_back(invocation);
    return result;
  }

  // A warm runtime's outcome as a handler's result: a partial batch response is read as such,
  // another return value but null goes to stdout as a JSON line.
  HandlerResult handler_result(const runtime::Outcome& outcome) {
    HandlerResult result{HandlerResult::Status::ok, 0, {}, {}};
    if (outcome.status != runtime::Outcome::Status::ok) {
      result.status = outcome.status == runtime::Outcome::Status::timed_out ? HandlerResult::Status::timed_out
                                                                             : HandlerResult::Status::failed;
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
      auto position = store::parse_sequence(id);
      auto it = std::find_if(batch.begin(), batch.end(), [&](const OwnedRecord& r) { return position && r.position == *position; });
      if (it == batch.end()) return 0;
      first = std::min(first, static_cast<std::size_t>(it - batch.begin()));
    }
    return first;
  }

  void fail(std::span<const OwnedRecord> batch, std::string_view condition, std::uint32_t attempts,
            std::string_view function_error) {
    const OwnedRecord& first = batch.front();
    const OwnedRecord& last = batch.back();
    cli::warn(store::shard_id(first.position.shard), "{} records from {} to {} given up ({})", batch.size(),
              store::format_sequence(first.position), store::format_sequence(last.position), condition);
    if (!failures_) return;
    FailedBatch failed{options_.source.stream,
                       store::shard_id(first.position.shard),
                       store::format_sequence(first.position),
                       store::format_sequence(last.position),
                       first.arrival_ms,
                       last.arrival_ms,
                       lines::now_ms(),
                       static_cast<std::uint32_t>(batch.size()),
                       attempts,
                       std::string(condition),
                       std::string(function_error)};
    std::string line = failure_record_json(failed);
    std::string key = store::shard_id(first.position.shard);
    store::Put put{md5_(key), key, line, true};
    failure_puts_->append(*failures_, {&put, 1}, placed_);
  }

  static void sleep_ms(std::int64_t ms) {
    // In slices, so that a stop signal is noticed.
    for (std::int64_t slept = 0; slept < ms && !cli::stop_requested(); slept += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(50, ms - slept)));
  }

  const ConsumeOptions& options_;
  const ExecOptions& exec_;
  std::int64_t max_age_ms_;
  runtime::Pool* runtimes_;  // null: run exec_.command for each batch
  lines::Writer out_;
  LambdaEvent lambda_;
  std::optional<store::Producer> failures_;
  metrics::Recorder failure_recorder_;  // the failure stream's IncomingRecords
  std::optional<metrics::StreamPuts> failure_puts_;
  store::Md5 md5_;
  std::vector<store::Position> placed_;
  std::vector<metrics::Invocation> invocations_;
};

// A pool of threads, each with its own BatchHandler, taking one job at a time.
class Workers {
 public:
  Workers(std::uint32_t count, const std::function<std::unique_ptr<BatchHandler>()>& make) {
    for (std::uint32_t i = 0; i < count; ++i) threads_.emplace_back([this, handler = make()] { run(*handler); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  void submit(Job job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
      ++busy_;
    }
    wake_.notify_one();
  }
  std::size_t busy() {
    std::lock_guard lock(mutex_);
    return busy_;
  }
  // Finished jobs, waiting up to `timeout_ms` for one when none is. Rethrows a worker's failure.
  std::vector<Done> finished(std::int64_t timeout_ms) {
    std::unique_lock lock(mutex_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return !done_.empty() || failure_; });
    if (failure_) std::rethrow_exception(failure_);
    std::vector<Done> out(done_.begin(), done_.end());
    done_.clear();
    return out;
  }

 private:
  void run(BatchHandler& handler) {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return closing_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      try {
        std::size_t done = handler.handle(job.records);
        std::lock_guard lock(mutex_);
        done_.push_back({job.shard, job.records.front().position.counter + done, done, handler.take_invocations()});
        --busy_;
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
      }
      done_cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_cv_;
  std::deque<Job> jobs_;
  std::deque<Done> done_;
  std::size_t busy_ = 0;
  bool closing_ = false;
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
  Workers workers(exec.parallel, [&] {
    return std::make_unique<BatchHandler>(env, notifier, options, exec, max_age_ms, runtimes ? &*runtimes : nullptr);
  });
  std::set<std::uint32_t> in_flight;  // shards with a batch at a handler
  // A group's metrics, written by its checkpoints: its reads, and its function's runs.
  std::optional<metrics::GetRecords> get_records;
  std::optional<metrics::FunctionMetrics> function;
  if (metrics::Recorder* recorder = positions.recorder()) {
    get_records.emplace(*recorder, options.source.stream);
    function.emplace(*recorder, *options.source.group);
  }
  auto finish = [&](const Done& done) {
    in_flight.erase(done.shard);
    positions.delivered(done.shard, done.next);
    if (function)
      for (const metrics::Invocation& invocation : done.invocations) function->add(invocation);
  };
  std::uint64_t total = 0, total_bytes = 0;
  lines::EpochMs last_news = lines::now_ms();
  while (!cli::stop_requested() || workers.busy() > 0) {
    std::uint32_t epoch = notifier.epoch(stream_id);
    std::int64_t wait_ms = kLongestWaitMs;
    bool window_pending = false;  // a batch waits for its window to fill
    std::size_t dispatched = 0;
    if (!cli::stop_requested() && !(options.limit != 0 && total >= options.limit)) {
      store::Txn txn = positions.begin_poll(reader);
      lines::EpochMs now = lines::now_ms();
      if (auto due = positions.leases_due_in(now)) wait_ms = std::min(wait_ms, *due);
      for (const store::ShardMeta& shard : positions.shards()) {
        if (workers.busy() >= exec.parallel) break;
        if (in_flight.contains(shard.index) || !positions.may_read(shard)) continue;
        std::uint64_t position = positions.position(shard);
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
        for (bool more = true; more && job.records.size() < std::min<std::uint64_t>(options.batch_size, room);
             more = cursor.next()) {
          const store::Record& r = cursor.record();
          bytes += event_bytes(r);
          if (!job.records.empty() && bytes > kMaxEventBytes) break;
          job.records.push_back({r.position, r.arrival_ms, std::string(r.partition_key), std::string(r.data), r.json});
          taken_bytes = bytes;
        }
        if (get_records) {
          std::uint64_t data = 0;
          for (const OwnedRecord& r : job.records) data += r.data.size();
          get_records->add(job.records.size(), data, job.records.back().arrival_ms, now);
        }
        total += job.records.size();
        total_bytes += taken_bytes;
        in_flight.insert(shard.index);
        workers.submit(std::move(job));
        ++dispatched;
      }
      reader.reset();
    }
    // Checkpointing after handing out the next batches overlaps the commit's fsync with them.
    positions.checkpoint();
    std::vector<Done> finished = workers.finished(workers.busy() > 0 ? kBusyWaitMs : 0);
    for (const Done& done : finished) {
      finish(done);
      last_news = lines::now_ms();
    }
    if (dispatched > 0 && options.progress) options.progress(total, total_bytes, false);
    if (!finished.empty() || workers.busy() > 0 || dispatched > 0) continue;
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
  for (const Done& done : workers.finished(0)) finish(done);
  positions.checkpoint();
  return total;
}

}  // namespace millrace::stream
