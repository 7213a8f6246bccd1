// Workers: threads of their own that compress the steps of single compressors (compress.h),
// while the reading thread goes on parsing records.
//
// Why threads of ours: zstd's worker threads belong to one compression context each, and a
// context with workers holds several jobs of at least 512 KiB and a context per worker: 3.4 MiB
// with one worker and a 32 KiB window (measured), so 200 partitions would take 680 MiB, where
// they must fit in 256 MiB. A single compressor per partition (360 KiB at
// level 3) with its steps run here costs what compressing on the reading thread would, but
// beside it: with 200 partitions of Wild Rydes lines, compression is half of a run's CPU time
// (perf: 49% on the workers, 48% on the reading thread), which would otherwise double the
// reading thread's.
//
// Each task counts in a Pending of its owner until it is done, and keeps the owner's first
// exception there. An owner's tasks run in the order posted, one at a time; owners' tasks run
// side by side. Nobody waits while there is a task to run: when kMaxWaiting tasks wait already
// (each holds a step of lines), post() runs waiting tasks on the caller's thread until there
// is room, and wait() runs the owner's own waiting tasks. (On a busy machine a worker may be
// off the CPU for milliseconds; a reading thread that waited for it would lose its turn too.)
// The destructor drops the tasks that have not begun and waits for those that have. One
// posting thread; wait() from any.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace millrace::archive {

class Workers {
 public:
  // The tasks of one owner not yet done, and the first exception one of them threw.
  struct Pending {
    std::size_t tasks = 0;
    bool running = false;
    std::exception_ptr error;
  };

  // Tasks that may wait to run before post() runs them itself: 32 steps of lines, 8 MiB. With 8,
  // the reading thread of 200 partitions compressed a fifth of their steps itself on a busy
  // machine, where a worker woken for a task waits a while for a CPU.
  static constexpr std::size_t kMaxWaiting = 32;

  // REQUIRES: threads >= 1, max_waiting >= 1.
  explicit Workers(int threads, std::size_t max_waiting = kMaxWaiting);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Runs `task` on a thread once the owner's tasks posted before are done; counted in `pending`
  // until it is. REQUIRES: `pending` outlives the task or this.
  void post(Pending& pending, std::function<void()> task);
  // Waits until `pending` has no task, then rethrows the exception of one, if any.
  void wait(Pending& pending);

 private:
  struct Task {
    Pending* pending;
    std::function<void()> run;
  };
  // The first waiting task whose owner has none running and none waiting before it (of
  // `owner`'s, when given); queue_.end() when there is none. REQUIRES: mutex_ held.
  std::deque<Task>::iterator runnable(const Pending* owner = nullptr);
  // Takes the task at `it` from the queue, runs it without the lock, and notes it done.
  void run(std::unique_lock<std::mutex>& lock, std::deque<Task>::iterator it);
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;  // a task posted or done, or stop_
  const std::size_t max_waiting_;
  std::deque<Task> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace millrace::archive
