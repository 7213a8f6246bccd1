#include "stream/ingest.h"

#include <pthread.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "store/records.h"
#include "store/sequence.h"

namespace millrace::stream {
namespace {

// A batch is handed to the commit thread when it holds this much, or when the input pauses.
constexpr std::size_t kBatchBytes = 512 << 10;
// The reader waits while this much is queued: it bounds memory, and LMDB's dirty pages per
// transaction (a commit takes at most this much plus one batch).
constexpr std::size_t kQueuedBytes = 4 << 20;

// The commit thread and the queue between it and the reader.
class Committer {
 public:
  Committer(store::Producer& producer, lines::Writer* print)
      : producer_(producer), print_(print), thread_([this] { run(); }) {}

  ~Committer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // A cleared batch to fill, reusing the memory of committed ones.
  Batch fresh() {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) return Batch{};
    Batch batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
  }

  // Queues a batch for commit; waits while too much is queued. False when a commit failed.
  bool submit(Batch&& batch) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return queued_bytes_ < kQueuedBytes || failure_; });
    if (failure_) return false;
    queued_bytes_ += batch.bytes();
    queue_.push_back(std::move(batch));
    lock.unlock();
    ready_.notify_one();
    return true;
  }

  // Waits until everything queued is committed; rethrows a commit's failure.
  std::uint64_t finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
    return committed_;
  }

 private:
  void run() {
    pthread_setname_np(pthread_self(), "commit");  // shows in top -H and perf
    std::vector<Batch> taken;
    std::vector<store::Put> puts;
    std::vector<store::Position> placed;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        taken.swap(queue_);
        queued_bytes_ = 0;
      }
      room_.notify_one();
      puts.clear();
      for (const Batch& batch : taken) batch.append_puts(puts);
      try {
        producer_.append(puts, placed);
        committed_ += puts.size();
        if (print_ != nullptr) {
          for (store::Position position : placed) {
            std::string& out = print_->buffer();
            out.append("{\"shard\":\"").append(store::shard_id(position.shard)).append("\",\"seq\":\"");
            store::append_sequence(out, position);
            out.append("\"}\n");
            print_->maybe_flush();
          }
          print_->flush();
        }
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
        queue_.clear();
        room_.notify_all();
        return;
      }
      std::lock_guard lock(mutex_);
      for (Batch& batch : taken) {
        batch.clear();
        spare_.push_back(std::move(batch));
      }
      taken.clear();
    }
  }

  store::Producer& producer_;
  lines::Writer* print_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::vector<Batch> queue_, spare_;
  std::size_t queued_bytes_ = 0;
  bool done_ = false;
  std::exception_ptr failure_;
  std::uint64_t committed_ = 0;  // written by the commit thread, read after join
  std::thread thread_;           // last: starts once the members above exist
};

}  // namespace

IngestStats ingest(store::Env& env, store::Notifier& notifier, const std::string& stream, lines::Reader& reader,
                   PutParser& parser, OnError on_error, lines::Writer* print) {
  store::Producer producer(env, notifier, stream);
  Committer committer(producer, print);
  IngestStats stats;
  std::optional<cli::Error> bad_line;
  Batch batch = committer.fresh();
  bool running = true;
  while (running && !bad_line) {
    while (auto line = reader.next()) {
      if (auto problem = parser.parse(*line, batch)) {
        if (on_error == OnError::fail) {
          bad_line.emplace(cli::Exit::data, line->where(), *problem);
          break;
        }
        cli::warn(line->where(), "{} (skipped)", *problem);
        ++stats.skipped;
        continue;
      }
      if (batch.bytes() >= kBatchBytes) {
        running = committer.submit(std::move(batch));
        batch = committer.fresh();
        if (!running) break;
      }
    }
    // The input pauses (or ends): commit what has come, so it is visible before we block.
    if (running && !batch.empty()) {
      running = committer.submit(std::move(batch));
      batch = committer.fresh();
    }
    if (running && !bad_line) running = reader.fill();
  }
  stats.records = committer.finish();
  if (bad_line) throw *bad_line;
  return stats;
}

}  // namespace millrace::stream
