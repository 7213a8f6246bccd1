#include "store/groups.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store_fixture.h"

using namespace millrace::store;
using millrace::test::StoreFixture;

namespace {

void save(StoreFixture& store, std::uint32_t stream_id, std::string_view group, std::uint32_t shard,
          const Checkpoint& checkpoint) {
  store.env.write([&](const Txn& txn) { save_checkpoint(txn, stream_id, group, shard, checkpoint); });
}

std::map<std::uint32_t, Checkpoint> load(StoreFixture& store, std::uint32_t stream_id, std::string_view group) {
  std::map<std::uint32_t, Checkpoint> checkpoints;
  store.read([&](const Txn& txn) { checkpoints = load_checkpoints(txn, stream_id, group); });
  return checkpoints;
}

std::vector<std::string> groups(StoreFixture& store, std::uint32_t stream_id) {
  std::vector<std::string> names;
  store.read([&](const Txn& txn) { names = list_groups(txn, stream_id); });
  return names;
}

}  // namespace

TEST_CASE("checkpoints read back by shard as saved, lease included") {
  StoreFixture store;
  save(store, 1, "billing", 0, {5, 1795428000123, "host-a:123", 1795428030123});
  save(store, 1, "billing", 7, {10000000000, 1795428000999, "", 0});
  auto checkpoints = load(store, 1, "billing");
  REQUIRE(checkpoints.size() == 2);
  const Checkpoint& zero = checkpoints.at(0);
  CHECK(zero.counter == 5);
  CHECK(zero.updated_ms == 1795428000123);
  CHECK(zero.owner == "host-a:123");
  CHECK(zero.lease_expiry_ms == 1795428030123);
  const Checkpoint& seven = checkpoints.at(7);
  CHECK(seven.counter == 10000000000);
  CHECK(seven.updated_ms == 1795428000999);
  CHECK(seven.owner.empty());
  CHECK(seven.lease_expiry_ms == 0);
}

TEST_CASE("saving a checkpoint again replaces it") {
  StoreFixture store;
  save(store, 1, "g", 2, {5, 1000, "a", 2000});
  save(store, 1, "g", 2, {9, 3000, "", 0});
  auto checkpoints = load(store, 1, "g");
  REQUIRE(checkpoints.size() == 1);
  CHECK(checkpoints.at(2).counter == 9);
  CHECK(checkpoints.at(2).updated_ms == 3000);
  CHECK(checkpoints.at(2).owner.empty());
}

TEST_CASE("a group without checkpoints loads empty") {
  StoreFixture store;
  save(store, 1, "g", 0, {1, 1, "", 0});
  CHECK(load(store, 1, "other").empty());
  CHECK(load(store, 2, "g").empty());
}

TEST_CASE("a group's checkpoints never include those of a group whose name extends its own") {
  StoreFixture store;
  save(store, 1, "a", 0, {1, 0, "", 0});
  save(store, 1, "ab", 0, {2, 0, "", 0});
  save(store, 1, "ab", 1, {3, 0, "", 0});
  auto a = load(store, 1, "a");
  REQUIRE(a.size() == 1);
  CHECK(a.at(0).counter == 1);
  CHECK(load(store, 1, "ab").size() == 2);
}

TEST_CASE("list_groups names each group of the stream once") {
  StoreFixture store;
  for (std::uint32_t shard = 0; shard < 3; ++shard) {
    save(store, 1, "billing", shard, {shard, 0, "", 0});
    save(store, 1, "archive", shard, {shard, 0, "", 0});
    save(store, 1, "metrics", shard, {shard, 0, "", 0});
  }
  save(store, 2, "elsewhere", 0, {1, 0, "", 0});  // another stream's group
  CHECK(groups(store, 1) == std::vector<std::string>{"archive", "billing", "metrics"});
  CHECK(groups(store, 2) == std::vector<std::string>{"elsewhere"});
  CHECK(groups(store, 3).empty());
}

TEST_CASE("list_groups lists names of different lengths, each once") {
  StoreFixture store;
  for (const char* name : {"b", "a", "ab", "a.long-group_name"}) save(store, 1, name, 0, {1, 0, "", 0});
  std::vector<std::string> names = groups(store, 1);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a", "a.long-group_name", "ab", "b"});
}

TEST_CASE("a stream's groups go with the stream") {
  StoreFixture store;
  StreamMeta stream = store.create("s", 2);
  save(store, stream.id, "g", 0, {3, 0, "", 0});
  store.env.write([&](const Txn& txn) { delete_stream(txn, stream); });
  CHECK(groups(store, stream.id).empty());
  CHECK(load(store, stream.id, "g").empty());
}
