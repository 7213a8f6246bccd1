// GroupCommit: grouped commits behind a reading thread, for the programs that write lines into
// the store (ks-put, kv-put).
//
// The calling thread parses lines into batches and submits them; a commit thread takes whatever
// is queued when it is free and commits it in one transaction (the `commit` function given).
// So a bulk file goes in large commits at full speed while a trickle producer's line is
// committed, and visible, as soon as it arrives: the size of a commit follows the input, not a
// timer. Batches are committed in the order submitted, so the store always holds a prefix of
// the input.
//
// Batch is a movable type with bytes(), empty() and clear(); its memory is reused once
// committed.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "lines/input.h"
#include "lines/reader.h"

namespace millrace::store {

// A batch is submitted when it holds this much, or when the input pauses.
inline constexpr std::size_t kBatchBytes = 512 << 10;
// The reader waits while this much is queued: it bounds memory, and LMDB's dirty pages per
// transaction (a commit takes at most this much plus one batch).
inline constexpr std::size_t kQueuedBytes = 4 << 20;

template <class Batch>
class GroupCommit {
 public:
  // Commits the batches taken, in order, in one transaction. Runs on the commit thread; what
  // it throws stops the commits and is rethrown by finish().
  using Commit = std::function<void(std::vector<Batch>& taken)>;

  explicit GroupCommit(Commit commit) : commit_(std::move(commit)), thread_([this] { run(); }) {}

  ~GroupCommit() {
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
  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  void run() {
    pthread_setname_np(pthread_self(), "commit");  // shows in top -H and perf
    std::vector<Batch> taken;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        taken.swap(queue_);
        queued_bytes_ = 0;
      }
      room_.notify_one();
      try {
        commit_(taken);
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

  Commit commit_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::vector<Batch> queue_, spare_;
  std::size_t queued_bytes_ = 0;
  bool done_ = false;
  std::exception_ptr failure_;
  std::thread thread_;  // last: starts once the members above exist
};

// Feeds every line of `reader` to `committer`: parser.parse(line, batch) adds the line's work to
// the batch, or returns what is wrong with the line; parser.begin_block(text) is told the lines
// of each read before them (lines::Reader::block, for lines::Validator::begin_block). A batch is
// submitted when it holds kBatchBytes,
// and whenever the input pauses, so that what has come is committed before the reader blocks.
// Under OnError::fail a bad line ends the feed: everything before it is committed, then
// cli::Error(data) is thrown naming its place; under OnError::skip it is reported and counted.
// Returns the count of lines skipped; waits for the last commit, and rethrows a commit's failure.
template <class Batch, class Parser>
std::uint64_t commit_lines(GroupCommit<Batch>& committer, lines::Reader& reader, lines::OnError on_error,
                           Parser& parser) {
  std::uint64_t skipped = 0;
  std::optional<cli::Error> bad_line;
  Batch batch = committer.fresh();
  bool running = true;
  while (running && !bad_line) {
    parser.begin_block(reader.block());
    while (auto line = reader.next()) {
      if (std::optional<std::string> problem = parser.parse(*line, batch)) {
        if (on_error == lines::OnError::fail) {
          bad_line.emplace(cli::Exit::data, line->where(), *problem);
          break;
        }
        cli::warn(line->where(), "{} (skipped)", *problem);
        ++skipped;
        continue;
      }
      if (batch.bytes() >= kBatchBytes) {
        running = committer.submit(std::move(batch));
        batch = committer.fresh();
        if (!running) break;
      }
    }
    if (running && !batch.empty()) {
      running = committer.submit(std::move(batch));
      batch = committer.fresh();
    }
    if (running && !bad_line) running = reader.fill();
  }
  committer.finish();
  if (bad_line) throw *bad_line;
  return skipped;
}

}  // namespace millrace::store
