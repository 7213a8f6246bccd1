#include "stream/admin.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/error.h"
#include "error_status.h"
#include "store/groups.h"
#include "store/names.h"
#include "store_fixture.h"

using namespace millrace;
using namespace millrace::stream;
using millrace::test::error_status;
using millrace::test::StoreFixture;

namespace {

// Appends records of the given data to the stream, each routed by its hash.
void put(StoreFixture& store, const std::string& stream, const std::vector<std::pair<store::HashKey, std::string>>& records) {
  store::Producer producer(store.env, store.notifier, stream);
  std::vector<store::Put> puts;
  for (const auto& [hash, data] : records) puts.push_back({hash, "k", data, true});
  std::vector<store::Position> placed;
  producer.append(puts, placed);
}

}  // namespace

TEST_CASE("a stream has 1 to kMaxShards shards and a retention of 1 minute to 365 days") {
  StoreFixture store;
  const std::int64_t day = 86'400'000;
  CHECK(error_status([&] { create_stream(store.env, "s", 0, day); }) == cli::Exit::usage);
  CHECK(error_status([&] { create_stream(store.env, "s", store::kMaxShards + 1, day); }) == cli::Exit::usage);
  CHECK(error_status([&] { create_stream(store.env, "s", 1, 59'999); }) == cli::Exit::usage);
  CHECK(error_status([&] { create_stream(store.env, "s", 1, 365 * day + 1); }) == cli::Exit::usage);
  store.read([&](const store::Txn& txn) { CHECK(store::list_streams(txn).empty()); });

  CHECK(create_stream(store.env, "min", 1, 60'000).retention_ms == 60'000);
  CHECK(create_stream(store.env, "max", store::kMaxShards, 365 * day).next_shard == store::kMaxShards);
  CHECK(error_status([&] { create_stream(store.env, "min", 1, day); }) == cli::Exit::cant_create);
}

TEST_CASE("ensure_stream creates a missing stream once") {
  StoreFixture store;
  CHECK(ensure_stream(store.env, "s", 3));
  CHECK_FALSE(ensure_stream(store.env, "s", 5));
  CHECK(store.shards(store.stream("s").id).size() == 3);
  CHECK(store.stream("s").retention_ms == store::kDefaultRetentionMs);
}

TEST_CASE("describe counts records and bytes per shard and in total") {
  StoreFixture store;
  create_stream(store.env, "s", 2, store::kDefaultRetentionMs);
  put(store, "s", {{0, "12"}, {0, "345"}, {store::kMaxHashKey, "6789"}});
  StreamState state = describe_stream(store.env, "s");
  CHECK(state.stream.name == "s");
  REQUIRE(state.shards.size() == 2);
  CHECK(state.shards[0].meta.records() == 2);
  CHECK(state.shards[0].meta.bytes == 5);
  CHECK(state.shards[1].meta.records() == 1);
  CHECK(state.records() == 3);
  CHECK(state.bytes() == 9);
  CHECK(state.open_shards() == 2);
  REQUIRE(state.shards[0].first_arrival_ms);
  REQUIRE(state.shards[0].last_arrival_ms);
  CHECK(*state.shards[0].first_arrival_ms <= *state.shards[0].last_arrival_ms);
  CHECK(state.groups.empty());
}

TEST_CASE("describe tells how far behind each group is, per shard") {
  StoreFixture store;
  std::uint32_t id = create_stream(store.env, "s", 2, store::kDefaultRetentionMs).id;
  put(store, "s", {{0, "1"}, {0, "2"}, {0, "3"}, {0, "4"}, {store::kMaxHashKey, "5"}});
  store.env.write([&](const store::Txn& txn) { store::save_checkpoint(txn, id, "billing", 0, {3, 1000, "", 0}); });
  StreamState state = describe_stream(store.env, "s");
  REQUIRE(state.groups.size() == 1);
  const GroupState& group = state.groups[0];
  CHECK(group.name == "billing");
  REQUIRE(group.shards.size() == 2);
  CHECK(group.shards[0].shard == 0);
  CHECK(group.shards[0].checkpoint.counter == 3);
  CHECK(group.shards[0].behind == 1);
  CHECK(group.shards[0].iterator_age_ms >= 0);
  CHECK(group.shards[1].checkpoint.counter == 0);  // nothing delivered yet
  CHECK(group.shards[1].behind == 1);
}

TEST_CASE("describing or deleting a missing stream is no_input") {
  StoreFixture store;
  CHECK(error_status([&] { describe_stream(store.env, "nope"); }) == cli::Exit::no_input);
  CHECK(error_status([&] { delete_stream(store.env, "nope"); }) == cli::Exit::no_input);
  CHECK(error_status([&] { set_retention(store.env, "nope", 3'600'000); }) == cli::Exit::no_input);
}

TEST_CASE("set_retention keeps the limits") {
  StoreFixture store;
  create_stream(store.env, "s", 1, store::kDefaultRetentionMs);
  set_retention(store.env, "s", 7 * 86'400'000LL);
  CHECK(store.stream("s").retention_ms == 7 * 86'400'000LL);
  CHECK(error_status([&] { set_retention(store.env, "s", 1000); }) == cli::Exit::usage);
  CHECK(store.stream("s").retention_ms == 7 * 86'400'000LL);
}

TEST_CASE("trimming a stream whose records are all within the retention removes none") {
  StoreFixture store;
  create_stream(store.env, "s", 1, store::kDefaultRetentionMs);
  put(store, "s", {{0, "1"}, {0, "2"}});
  CHECK(trim_stream(store.env, "s") == 0);
  CHECK(describe_stream(store.env, "s").records() == 2);
}

TEST_CASE("a deleted stream is gone from the list with its records, and its name is free again") {
  StoreFixture store;
  std::uint32_t id = create_stream(store.env, "s", 2, store::kDefaultRetentionMs).id;
  create_stream(store.env, "t", 1, store::kDefaultRetentionMs);
  put(store, "s", {{0, "1"}, {store::kMaxHashKey, "2"}});
  delete_stream(store.env, "s");
  std::vector<StreamState> states = list_streams(store.env);
  REQUIRE(states.size() == 1);
  CHECK(states[0].stream.name == "t");
  CHECK(store.records(id, 0).empty());
  CHECK(store.records(id, 1).empty());
  CHECK(create_stream(store.env, "s", 1, store::kDefaultRetentionMs).id != id);
}
