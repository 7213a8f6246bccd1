#include "archive/workers.h"

#include <utility>

namespace millrace::archive {
namespace {

// Tasks waiting to run: enough to keep every thread busy while the poster fills the next steps.
constexpr std::size_t kMaxQueued = 8;

}  // namespace

Workers::Workers(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

Workers::~Workers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void Workers::post(Pending& pending, std::function<void()> task) {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
    ++pending.tasks;
    queue_.push_back({&pending, std::move(task)});
  }
  changed_.notify_all();
}

void Workers::wait(Pending& pending) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return pending.tasks == 0; });
  if (pending.error) std::rethrow_exception(std::exchange(pending.error, nullptr));
}

void Workers::loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    std::exception_ptr error;
    try {
      task.run();
    } catch (...) {
      error = std::current_exception();
    }
    task.run = nullptr;  // what it holds goes before its owner hears it is done
    {
      std::lock_guard lock(mutex_);
      if (error && !task.pending->error) task.pending->error = error;
      --task.pending->tasks;
    }
    changed_.notify_all();
  }
}

}  // namespace millrace::archive
