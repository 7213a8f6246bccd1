#include "store/notify.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "temp_dir.h"

using millrace::store::Notifier;
using millrace::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("a waiter wakes promptly when another thread publishes") {
  TempDir dir;
  Notifier notifier(dir.path());
  std::uint32_t seen = notifier.epoch(1);
  std::atomic<Clock::time_point> published{};
  std::thread publisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    published = Clock::now();
    notifier.publish(1);
  });
  Clock::time_point start = Clock::now();
  notifier.wait(1, seen, 5000);
  Clock::time_point woke = Clock::now();
  publisher.join();
  CHECK(notifier.epoch(1) == seen + 1);
  CHECK(ms_since(start) < 1000);
  // Woken by the publish (not the timeout), within 100 ms of it.
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(woke - published.load()).count() < 100);
}

TEST_CASE("waiting with an epoch that has passed returns at once") {
  TempDir dir;
  Notifier notifier(dir.path());
  std::uint32_t old = notifier.epoch(2);
  notifier.publish(2);
  Clock::time_point start = Clock::now();
  notifier.wait(2, old, 5000);
  CHECK(ms_since(start) < 100);
}

TEST_CASE("a wait without news returns after about its timeout") {
  TempDir dir;
  Notifier notifier(dir.path());
  Clock::time_point start = Clock::now();
  notifier.wait(3, notifier.epoch(3), 150);
  std::int64_t waited = ms_since(start);
  CHECK(waited >= 140);
  CHECK(waited < 1000);
}

TEST_CASE("notifiers of one store share the counters, and each stream has its own") {
  TempDir dir;
  Notifier a(dir.path()), b(dir.path());
  std::uint32_t one = b.epoch(1), two = b.epoch(2);
  a.publish(1);
  a.publish(1);
  CHECK(b.epoch(1) == one + 2);
  CHECK(b.epoch(2) == two);
}

TEST_CASE("the notify file is created beside the store, mode 0600") {
  TempDir dir;
  Notifier notifier(dir.path());
  auto perms = std::filesystem::status(dir / "notify").permissions() & std::filesystem::perms::all;
  CHECK(perms == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
}
