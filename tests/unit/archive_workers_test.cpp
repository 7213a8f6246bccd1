#include "archive/workers.h"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace millrace::archive;

TEST_CASE("an owner that waits between its tasks has them run in order; owners run side by side") {
  Workers workers(3);
  std::vector<Workers::Pending> pending(4);
  std::vector<std::vector<int>> seen(4);
  for (int task = 0; task < 50; ++task) {
    for (int owner = 0; owner < 4; ++owner) {
      workers.wait(pending[owner]);
      workers.post(pending[owner], [&seen, owner, task] { seen[owner].push_back(task); });
    }
  }
  for (int owner = 0; owner < 4; ++owner) {
    workers.wait(pending[owner]);
    CHECK(pending[owner].tasks == 0);
    REQUIRE(seen[owner].size() == 50);
    for (int task = 0; task < 50; ++task) CHECK(seen[owner][task] == task);
  }
}

TEST_CASE("a task's exception reaches its owner's wait, once, and not another owner's") {
  Workers workers(2);
  Workers::Pending failing, fine;
  std::atomic<int> ran = 0;
  workers.post(failing, [] { throw std::runtime_error("disk full"); });
  workers.post(failing, [&] { ++ran; });
  workers.post(fine, [&] { ++ran; });
  CHECK_THROWS_WITH_AS(workers.wait(failing), "disk full", std::runtime_error);
  CHECK_NOTHROW(workers.wait(failing));
  CHECK_NOTHROW(workers.wait(fine));
  CHECK(ran == 2);
}

TEST_CASE("many tasks, more than may wait at once, all run") {
  Workers workers(2);
  Workers::Pending pending;
  std::atomic<int> ran = 0;
  for (int i = 0; i < 1000; ++i) workers.post(pending, [&] { ++ran; });
  workers.wait(pending);
  CHECK(ran == 1000);
}

TEST_CASE("when every thread is busy and tasks wait, the poster runs the next task itself") {
  Workers workers(1);
  Workers::Pending blocked, queued;
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  workers.post(blocked, [&] {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return release; });
  });
  // The thread may not have taken the first task yet: 8 wait from the 8th or 9th post on. Only
  // tasks from the 10th on note where they ran; none of them waits in the queue.
  std::thread::id ran_on;
  for (int i = 0; i < 20 && ran_on == std::thread::id(); ++i)
    workers.post(queued, [&, i] {
      if (i >= 9) ran_on = std::this_thread::get_id();
    });
  CHECK(ran_on == std::this_thread::get_id());
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
  workers.wait(blocked);
  workers.wait(queued);
}
