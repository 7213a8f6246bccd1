#include "stream/reshard.h"

#include <doctest/doctest.h>

#include <vector>

#include "cli/error.h"
#include "error_status.h"
#include "store/names.h"

using namespace millrace;
using namespace millrace::stream;
using millrace::test::error_status;
using store::HashKey;
using store::kNoShard;

namespace {

// Shards of indices 0..n-1 splitting the space evenly, all open.
std::vector<store::ShardMeta> even_shards(std::uint32_t n) {
  std::vector<store::ShardMeta> shards;
  std::uint32_t index = 0;
  for (store::HashRange range : store::split_evenly({0, store::kMaxHashKey}, n)) {
    store::ShardMeta& shard = shards.emplace_back();
    shard.index = index++;
    shard.range = range;
  }
  return shards;
}

constexpr HashKey kTwo64 = HashKey{1} << 64;

}  // namespace

TEST_CASE("a split's second child starts in the middle of the range, or at --at") {
  auto shards = even_shards(2);  // shard 1: [2^127, 2^128-1]
  ReshardPlan plan = split_plan(shards, 1, std::nullopt);
  CHECK(plan.close == std::vector<std::uint32_t>{1});
  REQUIRE(plan.children.size() == 2);
  // start + (end - start) / 2 + 1 with start 2^127, end 2^128-1: 2^127 + 2^126.
  HashKey middle = (HashKey{1} << 127) + (HashKey{1} << 126);
  CHECK(plan.children[0].range.start == HashKey{1} << 127);
  CHECK(plan.children[0].range.end == middle - 1);
  CHECK(plan.children[1].range.start == middle);
  CHECK(plan.children[1].range.end == store::kMaxHashKey);
  CHECK((plan.children[0].parent == 1 && plan.children[0].adjacent_parent == kNoShard));
  CHECK((plan.children[1].parent == 1 && plan.children[1].adjacent_parent == kNoShard));

  plan = split_plan(shards, 0, kTwo64);
  CHECK(plan.children[0].range.end == kTwo64 - 1);
  CHECK(plan.children[1].range.start == kTwo64);
  // The second child must have a key: --at from start + 1 to end.
  CHECK(error_status([&] { split_plan(shards, 0, HashKey{0}); }) == cli::Exit::usage);
  CHECK(error_status([&] { split_plan(shards, 0, HashKey{1} << 127); }) == cli::Exit::usage);
  CHECK(split_plan(shards, 0, (HashKey{1} << 127) - 1).children[1].range.start == (HashKey{1} << 127) - 1);
}

TEST_CASE("only an open shard that is there can be split or merged") {
  auto shards = even_shards(3);
  shards[1].open = false;
  CHECK(error_status([&] { split_plan(shards, 7, std::nullopt); }) == cli::Exit::no_input);
  CHECK(error_status([&] { split_plan(shards, 1, std::nullopt); }) == cli::Exit::usage);
  CHECK(error_status([&] { merge_plan(shards, 0, 1); }) == cli::Exit::usage);
  CHECK(error_status([&] { merge_plan(shards, 0, 9); }) == cli::Exit::no_input);
}

TEST_CASE("a merge takes two shards whose ranges touch, in either order") {
  auto shards = even_shards(3);
  ReshardPlan plan = merge_plan(shards, 2, 1);
  CHECK(plan.close == std::vector<std::uint32_t>{2, 1});
  REQUIRE(plan.children.size() == 1);
  CHECK(plan.children[0].range.start == shards[1].range.start);
  CHECK(plan.children[0].range.end == store::kMaxHashKey);
  CHECK((plan.children[0].parent == 2 && plan.children[0].adjacent_parent == 1));
  CHECK(error_status([&] { merge_plan(shards, 0, 2); }) == cli::Exit::usage);  // 0 and 2 do not touch
}

TEST_CASE("a scale replaces every open shard by an even split, with the first two overlapping parents") {
  auto shards = even_shards(2);
  ReshardPlan plan = scale_plan(shards, 3);
  CHECK(plan.close == std::vector<std::uint32_t>{0, 1});
  REQUIRE(plan.children.size() == 3);
  CHECK(store::format_hash_key(plan.children[1].range.start) == "113427455640312821154458202477256070485");
  CHECK((plan.children[0].parent == 0 && plan.children[0].adjacent_parent == kNoShard));
  CHECK((plan.children[1].parent == 0 && plan.children[1].adjacent_parent == 1));  // spans 2^127
  CHECK((plan.children[2].parent == 1 && plan.children[2].adjacent_parent == kNoShard));
  CHECK(error_status([&] { scale_plan(shards, 0); }) == cli::Exit::usage);
  CHECK(error_status([&] { scale_plan(shards, store::kMaxShards + 1); }) == cli::Exit::usage);
}

TEST_CASE("a plan may not leave a stream more open shards than a stream has") {
  auto full = even_shards(store::kMaxShards);
  CHECK(error_status([&] { check_open_count(full, split_plan(full, 0, std::nullopt)); }) == cli::Exit::usage);
  CHECK(error_status([&] { check_open_count(full, merge_plan(full, 0, 1)); }) == cli::Exit::ok);
}
