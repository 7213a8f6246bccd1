// Workers: threads of their own that compress the steps of single compressors (compress.h),
// while the reading thread goes on parsing records.
//
// Why threads of ours: zstd's worker threads belong to one compression context each, and a
// context with workers holds several jobs of at least 512 KiB and a context per worker: 3.4 MiB
// with one worker and a 32 KiB window (measured), so 200 partitions would take 680 MiB, where
// they must fit in 256 MiB. A single compressor per partition (625 KiB at
// level 3) with its steps run here costs what compressing on the reading thread would, but
// beside it: with 200 partitions of Wild Rydes lines, compression is half of a run's CPU time
// (perf: 49% on the workers, 48% on the reading thread), which would otherwise double the
// reading thread's.
//
// Each task counts in a Pending of its owner until it is done, and keeps the owner's first
// exception there. An owner waits for its tasks before posting the next, so that its steps run
// in order, one at a time. post() waits while 8 tasks wait to run (each holds a step of lines).
// The destructor drops the tasks that have not begun and waits for those that have. One
// posting thread.
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
    std::exception_ptr error;
  };

  // REQUIRES: threads >= 1.
  explicit Workers(int threads);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  // Runs `task` on a thread, counted in `pending` until done. REQUIRES: `pending` outlives the
  // task or this.
  void post(Pending& pending, std::function<void()> task);
  // Waits until `pending` has no task, then rethrows the exception of one, if any.
  void wait(Pending& pending);

 private:
  struct Task {
    Pending* pending;
    std::function<void()> run;
  };
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;  // a task posted or done, or stop_
  std::deque<Task> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace millrace::archive
