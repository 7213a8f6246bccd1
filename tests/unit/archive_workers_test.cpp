#include "archive/workers.h"

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace millrace::archive;

namespace {

// A task that holds a worker until release().
class Gate {
 public:
  std::function<void()> task() {
    return [this] {
      std::unique_lock lock(mutex_);
      entered_ = true;
      open_.notify_all();
      open_.wait(lock, [&] { return released_; });
    };
  }
  // Waits until a worker runs the task.
  void wait_entered() {
    std::unique_lock lock(mutex_);
    open_.wait(lock, [&] { return entered_; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    open_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_;
  bool entered_ = false, released_ = false;
};

}  // namespace

TEST_CASE("an owner's tasks run in the order posted, one at a time; owners' side by side") {
  Workers workers(3);
  std::vector<Workers::Pending> pending(4);
  std::vector<std::vector<int>> seen(4);
  std::vector<std::atomic<int>> running(4);
  std::atomic<bool> overlapped = false;
  for (int task = 0; task < 200; ++task) {
    for (int owner = 0; owner < 4; ++owner) {
      workers.post(pending[owner], [&, owner, task] {
        if (running[owner]++ > 0) overlapped = true;
        seen[owner].push_back(task);
        --running[owner];
      });
    }
  }
  for (int owner = 0; owner < 4; ++owner) {
    workers.wait(pending[owner]);
    CHECK(pending[owner].tasks == 0);
    REQUIRE(seen[owner].size() == 200);
    for (int task = 0; task < 200; ++task) CHECK(seen[owner][task] == task);
  }
  CHECK_FALSE(overlapped);
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

TEST_CASE("with every thread busy and the queue full, the poster runs waiting tasks, in their owners' order") {
  Workers workers(1, 8);
  Gate gate;
  Workers::Pending held, queued, last;
  workers.post(held, gate.task());
  gate.wait_entered();
  std::vector<int> order;
  std::vector<std::thread::id> ran_on;
  // The thread is held: the 9th post on finds the queue full, and runs one waiting task each.
  for (int i = 0; i < 12; ++i)
    workers.post(queued, [&, i] {
      order.push_back(i);
      ran_on.push_back(std::this_thread::get_id());
    });
  workers.post(last, [] {});
  CHECK(order.size() == 5);  // run here, as the worker is held: 12 + 1 posted, 8 wait
  for (std::thread::id id : ran_on) CHECK(id == std::this_thread::get_id());
  gate.release();
  workers.wait(queued);
  workers.wait(held);
  workers.wait(last);
  REQUIRE(order.size() == 12);
  for (int i = 0; i < 12; ++i) CHECK(order[i] == i);
}

TEST_CASE("an owner that waits runs its own waiting tasks rather than wait for a busy thread") {
  Workers workers(1);
  Gate gate;
  Workers::Pending held, mine;
  workers.post(held, gate.task());
  gate.wait_entered();
  std::vector<std::thread::id> ran_on;
  for (int i = 0; i < 3; ++i) workers.post(mine, [&] { ran_on.push_back(std::this_thread::get_id()); });
  workers.wait(mine);
  REQUIRE(ran_on.size() == 3);
  for (std::thread::id id : ran_on) CHECK(id == std::this_thread::get_id());
  gate.release();
  workers.wait(held);
}

TEST_CASE("many tasks, more than may wait at once, all run") {
  Workers workers(2);
  Workers::Pending pending;
  std::atomic<int> ran = 0;
  for (int i = 0; i < 1000; ++i) workers.post(pending, [&] { ++ran; });
  workers.wait(pending);
  CHECK(ran == 1000);
}
