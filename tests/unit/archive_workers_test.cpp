#include "archive/workers.h"

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
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
