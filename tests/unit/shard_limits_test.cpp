#include "serve/shard_limits.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "store/hash_key.h"
#include "store_fixture.h"

using millrace::serve::ShardLimits;
using millrace::serve::ShardRates;
namespace lines = millrace::lines;
namespace store = millrace::store;

namespace {

// A clock the test moves by hand.
struct FakeClock {
  lines::EpochMs now = 1'800'000'000'000;
  ShardLimits::Clock clock() {
    return [this] { return now; };
  }
};

// How many of `count` records of `bytes` each, put to `shard` of stream 1 at once, are admitted.
std::size_t admitted(ShardLimits& limits, std::uint32_t shard, std::size_t count,
                     std::size_t bytes = 10) {
  std::vector<ShardLimits::Entry> entries(count, ShardLimits::Entry{shard, bytes});
  std::vector<bool> taken;
  limits.admit(1, entries, taken);
  REQUIRE(taken.size() == count);
  return static_cast<std::size_t>(std::count(taken.begin(), taken.end(), true));
}

}  // namespace

TEST_CASE(
    "a shard admits 1000 records in the second after its first put, then none until the second is "
    "over") {
  FakeClock time;
  ShardLimits limits({}, time.clock());
  CHECK(admitted(limits, 0, 600) == 600);
  time.now += 500;
  CHECK(admitted(limits, 0, 600) == 400);  // 1000 in all
  time.now += 499;                         // 999 ms after the window opened
  CHECK(admitted(limits, 0, 1) == 0);
  time.now += 1;  // a second after: a new window, whole
  CHECK(admitted(limits, 0, 1500) == 1000);
}

TEST_CASE("the records refused are exactly those past the limit, in order") {
  FakeClock time;
  ShardLimits limits({}, time.clock());
  std::vector<ShardLimits::Entry> entries(1500, ShardLimits::Entry{3, 100});
  std::vector<bool> taken;
  limits.admit(1, entries, taken);
  CHECK(std::all_of(taken.begin(), taken.begin() + 1000, [](bool b) { return b; }));
  CHECK(std::none_of(taken.begin() + 1000, taken.end(), [](bool b) { return b; }));
}

TEST_CASE("each shard, and each stream's shard, has its own window") {
  FakeClock time;
  ShardLimits limits({}, time.clock());
  CHECK(admitted(limits, 0, 1000) == 1000);
  CHECK(admitted(limits, 1, 1000) == 1000);
  std::vector<ShardLimits::Entry> other(1000, ShardLimits::Entry{0, 10});
  std::vector<bool> taken;
  limits.admit(2, other, taken);  // shard 0 of stream 2
  CHECK(std::count(taken.begin(), taken.end(), true) == 1000);
}

TEST_CASE(
    "a shard admits 1 MiB of data and keys a second; a record that does not fit costs nothing") {
  FakeClock time;
  ShardLimits limits({}, time.clock());
  constexpr std::size_t kMiB = 1 << 20;
  std::vector<ShardLimits::Entry> entries{
      {0, kMiB / 2}, {0, kMiB / 2 - 100}, {0, 200}, {0, 100}, {0, 1}};
  std::vector<bool> taken;
  limits.admit(1, entries, taken);
  // 512 KiB + (512 KiB - 100) leave 100 bytes: the 200-byte record is refused, the 100 fits.
  CHECK(taken == std::vector<bool>{true, true, false, true, false});
  time.now += 1000;
  CHECK(admitted(limits, 0, 3, kMiB / 3) == 3);  // 3 * (1 MiB / 3) <= 1 MiB
}

TEST_CASE("a record larger than the byte allowance is admitted alone into an empty window") {
  FakeClock time;
  ShardLimits limits({}, time.clock());
  constexpr std::size_t kRecord = (1 << 20) + 256;  // 1 MiB of data and a 256-byte key
  CHECK(admitted(limits, 0, 2, kRecord) == 1);
  time.now += 1000;
  CHECK(admitted(limits, 0, 1, 10) == 1);
  CHECK(admitted(limits, 0, 1, kRecord) == 0);  // the window is no longer empty
}

TEST_CASE("other rates and windows are kept as given") {
  FakeClock time;
  ShardLimits limits(ShardRates{5, 1000, 200}, time.clock());
  CHECK(admitted(limits, 0, 10) == 5);
  time.now += 199;
  CHECK(admitted(limits, 0, 1) == 0);
  time.now += 1;
  CHECK(admitted(limits, 0, 10) == 5);
}

TEST_CASE(
    "throttle routes puts to their shards, takes out the refused and words their refusal as "
    "Kinesis") {
  millrace::test::StoreFixture store;
  store.create("rides", 2);
  FakeClock time;
  ShardLimits limits(ShardRates{2, 1 << 20, 1000}, time.clock());
  // Hash 0 is in shard 0's range, the largest hash in shard 1's.
  std::vector<store::Put> puts;
  for (int i = 0; i < 3; ++i) puts.push_back({0, "a", "x", false});
  puts.push_back({store::kMaxHashKey, "b", "y", false});
  std::vector<std::string> refusals = limits.throttle(store.env, "rides", puts);
  REQUIRE(refusals.size() == 4);
  CHECK(refusals[0].empty());
  CHECK(refusals[1].empty());
  CHECK(refusals[2] ==
        "Rate exceeded for shard shardId-000000000000 in stream rides under account 000000000000.");
  CHECK(refusals[3].empty());
  REQUIRE(puts.size() == 3);
  CHECK(puts[2].partition_key == "b");

  std::vector<store::Put> fine{{store::kMaxHashKey, "b", "y", false}};
  CHECK(limits.throttle(store.env, "rides", fine).empty());  // all admitted: nothing to say
  CHECK(fine.size() == 1);
  std::vector<store::Put> missing{{0, "a", "x", false}};
  CHECK(
      limits.throttle(store.env, "none", missing).empty());  // the commit will say it is not there
}
