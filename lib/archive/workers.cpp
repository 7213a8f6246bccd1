#include "archive/workers.h"

#include <algorithm>
#include <utility>

namespace millrace::archive {

Workers::Workers(int threads, std::size_t max_waiting) : max_waiting_(max_waiting) {
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
    while (queue_.size() >= max_waiting_) {
      if (auto it = runnable(); it != queue_.end()) {
        run(lock, it);
      } else {
        changed_.wait(lock);
      }
    }
    ++pending.tasks;
    queue_.push_back({&pending, std::move(task)});
  }
  changed_.notify_all();
}

void Workers::wait(Pending& pending) {
  std::unique_lock lock(mutex_);
  while (pending.tasks > 0) {
    if (auto it = runnable(&pending); it != queue_.end()) {
      run(lock, it);
    } else {
      changed_.wait(lock);
    }
  }
  if (pending.error) std::rethrow_exception(std::exchange(pending.error, nullptr));
}

std::deque<Workers::Task>::iterator Workers::runnable(const Pending* owner) {
  // The queue is short: a scan, noting the owners whose earliest waiting task was passed over.
  std::vector<const Pending*> passed;
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    const Pending* pending = it->pending;
    if (owner != nullptr && pending != owner) continue;
    if (pending->running || std::find(passed.begin(), passed.end(), pending) != passed.end()) {
      if (owner != nullptr) break;
      passed.push_back(pending);
      continue;
    }
    return it;
  }
  return queue_.end();
}

void Workers::run(std::unique_lock<std::mutex>& lock, std::deque<Task>::iterator it) {
  Task task = std::move(*it);
  queue_.erase(it);
  task.pending->running = true;
  lock.unlock();
  std::exception_ptr error;
  try {
    task.run();
  } catch (...) {
    error = std::current_exception();
  }
  task.run = nullptr;  // what it holds goes before its owner hears it is done
  lock.lock();
  task.pending->running = false;
  --task.pending->tasks;
  if (error && !task.pending->error) task.pending->error = error;
  changed_.notify_all();
}

void Workers::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    auto it = queue_.end();
    changed_.wait(lock, [&] { return stop_ || (it = runnable()) != queue_.end(); });
    if (stop_) return;
    run(lock, it);
  }
}

}  // namespace millrace::archive
