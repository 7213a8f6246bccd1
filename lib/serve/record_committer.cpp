#include "serve/record_committer.h"

#include <pthread.h>

namespace millrace::serve {

RecordCommitter::RecordCommitter(store::Env& env, store::Notifier& notifier)
    : env_(env), notifier_(notifier), thread_([this] { run(); }) {}

RecordCommitter::~RecordCommitter() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void RecordCommitter::submit(RecordBatch batch) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(batch));
  }
  ready_.notify_one();
}

void RecordCommitter::run() {
  pthread_setname_np(pthread_self(), "commit");
  std::vector<RecordBatch> taken;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !queue_.empty() || done_; });
      if (queue_.empty()) return;
      taken.swap(queue_);
    }
    commit(taken);
    taken.clear();
  }
}

void RecordCommitter::commit(std::vector<RecordBatch>& taken) {
  // One append per stream, of every batch of that stream in the order they came.
  std::map<std::string_view, std::vector<RecordBatch*>> by_stream;
  for (RecordBatch& batch : taken) by_stream[batch.stream].push_back(&batch);
  std::vector<store::Put> puts;
  std::vector<store::Position> placed, part;
  for (auto& [stream, batches] : by_stream) {
    puts.clear();
    for (RecordBatch* batch : batches) puts.insert(puts.end(), batch->puts.begin(), batch->puts.end());
    std::exception_ptr failure;
    try {
      auto& producer = producers_[std::string(stream)];
      if (!producer) producer = std::make_unique<store::Producer>(env_, notifier_, std::string(stream));
      producer->append(puts, placed);
    } catch (...) {
      failure = std::current_exception();
      producers_.erase(std::string(stream));  // the stream may be made again: look it up anew
    }
    std::size_t at = 0;
    for (RecordBatch* batch : batches) {
      if (!failure) part.assign(placed.begin() + static_cast<std::ptrdiff_t>(at),
                                placed.begin() + static_cast<std::ptrdiff_t>(at + batch->puts.size()));
      at += batch->puts.size();
      batch->done(failure ? std::vector<store::Position>{} : part, failure);
    }
  }
}

}  // namespace millrace::serve
