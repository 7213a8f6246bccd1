#include "archive/publisher.h"

#include <utility>

namespace millrace::archive {
namespace {

// A batch's files and directories stay far below the limit of open descriptors.
constexpr std::size_t kBatchObjects = 32;
constexpr std::size_t kMaxWaiting = 64;

}  // namespace

Publisher::Publisher(Bucket& bucket, bool sync) : bucket_(bucket), sync_(sync) {
  thread_ = std::thread([this] { loop(); });
}

Publisher::~Publisher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

std::uint64_t Publisher::publish(std::string key, ObjectStream object) {
  std::uint64_t id;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return error_ || waiting_.size() < kMaxWaiting; });
    check();
    id = next_id_++;
    ++unpublished_;
    waiting_.push_back({id, std::move(key), std::move(object)});
  }
  changed_.notify_all();
  return id;
}

std::vector<Publisher::Published> Publisher::published() {
  std::lock_guard lock(mutex_);
  check();
  return std::exchange(published_, {});
}

void Publisher::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || unpublished_ == 0; });
  check();
}

void Publisher::check() const {
  if (error_) std::rethrow_exception(error_);
}

void Publisher::loop() {
  for (;;) {
    std::vector<Waiting> batch;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || !waiting_.empty(); });
      if (stop_) return;
      while (!waiting_.empty() && batch.size() < kBatchObjects) {
        batch.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
    }
    changed_.notify_all();  // room for more
    std::vector<Bucket::Draft> drafts;
    drafts.reserve(batch.size());
    try {
      for (Waiting& waiting : batch) drafts.push_back(waiting.object.take_draft());
      std::vector<Bucket::Publication> publications;
      for (std::size_t i = 0; i < batch.size(); ++i) publications.push_back({batch[i].key, &drafts[i]});
      bucket_.publish(publications, sync_);
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        stop_ = true;
      }
      changed_.notify_all();
      return;
    }
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < batch.size(); ++i)
        published_.push_back({batch[i].id, batch[i].object.lines(), drafts[i].size()});
      unpublished_ -= batch.size();
    }
    changed_.notify_all();
  }
}

}  // namespace millrace::archive
