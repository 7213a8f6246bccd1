#include "store/keys.h"
#include "store/streams.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/error.h"
#include "store/groups.h"
#include "store/records.h"
#include "store_fixture.h"

using namespace millrace::store;
using millrace::cli::Exit;
using millrace::test::StoreFixture;

namespace {

template <class Body>
Exit error_status(Body&& body) {
  try {
    body();
  } catch (const millrace::cli::Error& e) {
    return e.status();
  }
  return Exit::ok;
}

// Appends `count` records of `size` bytes to the stream, in one commit.
void put_records(StoreFixture& store, const std::string& stream, std::size_t count, std::size_t size) {
  Producer producer(store.env, store.notifier, stream);
  std::string data(size, 'd');
  std::vector<Put> puts;
  for (std::size_t i = 0; i < count; ++i) puts.push_back({kMaxHashKey / count * i, "pk", data, false});  // spread over the shards
  std::vector<Position> placed;
  producer.append(puts, placed);
}

std::size_t count_records(StoreFixture& store, std::uint32_t stream_id) {
  std::size_t n = 0;
  for (const ShardMeta& shard : store.shards(stream_id)) n += store.records(stream_id, shard.index).size();
  return n;
}

std::size_t count_records_in_db(StoreFixture& store, std::uint32_t stream_id, std::uint32_t shards) {
  std::size_t n = 0;
  for (std::uint32_t shard = 0; shard < shards; ++shard) n += store.records(stream_id, shard).size();
  return n;
}

}  // namespace

TEST_CASE("a new stream's shards split the hash-key space evenly, empty and open") {
  StoreFixture store;
  StreamMeta created = store.create("rides", 4, 7'200'000);
  StreamMeta found = store.stream("rides");
  CHECK(found.name == "rides");
  CHECK(found.id == created.id);
  CHECK(found.retention_ms == 7'200'000);
  CHECK(found.created_ms == 1000);
  CHECK(found.next_shard == 4);
  std::vector<ShardMeta> shards = store.shards(found.id);
  REQUIRE(shards.size() == 4);
  std::vector<HashRange> expected = split_evenly({0, kMaxHashKey}, 4);
  for (std::uint32_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(shards[i].index == i);
    CHECK(shards[i].range.start == expected[i].start);
    CHECK(shards[i].range.end == expected[i].end);
    CHECK(shards[i].open);
    CHECK(shards[i].parent == kNoShard);
    CHECK(shards[i].adjacent_parent == kNoShard);
    CHECK(shards[i].first_counter == 1);
    CHECK(shards[i].next_counter == 1);
    CHECK(shards[i].records() == 0);
    CHECK(shards[i].bytes == 0);
    CHECK(shards[i].created_ms == 1000);
  }
}

TEST_CASE("creating a stream that exists is cant_create (73)") {
  StoreFixture store;
  store.create("rides", 1);
  CHECK(error_status([&] { store.create("rides", 2); }) == Exit::cant_create);
  CHECK(static_cast<int>(Exit::cant_create) == 73);
  CHECK(store.shards(store.stream("rides").id).size() == 1);  // the first one is unchanged
}

TEST_CASE("a missing stream is nullopt to find_stream and no_input (66) to stream_or_throw") {
  StoreFixture store;
  store.read([&](const Txn& txn) {
    CHECK_FALSE(find_stream(txn, "nope"));
    CHECK(error_status([&] { stream_or_throw(txn, "nope"); }) == Exit::no_input);
  });
}

TEST_CASE("stream ids are never reused, even for the name of a deleted stream") {
  StoreFixture store;
  std::uint32_t a = store.create("a", 1).id;
  std::uint32_t b = store.create("b", 1).id;
  CHECK(a != b);
  store.env.write([&](const Txn& txn) { delete_stream(txn, stream_or_throw(txn, "a")); });
  store.read([&](const Txn& txn) { CHECK_FALSE(find_stream(txn, "a")); });
  CHECK(store.shards(a).empty());
  std::uint32_t again = store.create("a", 1).id;
  CHECK(again != a);
  CHECK(again != b);
}

TEST_CASE("list_streams lists every stream once") {
  StoreFixture store;
  for (const char* name : {"b", "a", "c.d-e_f"}) store.create(name, 1);
  std::vector<std::string> names;
  store.read([&](const Txn& txn) {
    for (const StreamMeta& s : list_streams(txn)) names.push_back(s.name);
  });
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a", "b", "c.d-e_f"});
}

TEST_CASE("saved stream and shard metadata read back as saved") {
  StoreFixture store;
  StreamMeta stream = store.create("s", 2);
  stream.retention_ms = kMaxRetentionMs;
  stream.last_arrival_ms = 1795428000123;
  ShardMeta shard = store.shards(stream.id)[1];
  shard.open = false;
  shard.closed_ms = 1795428000999;
  shard.first_counter = 17;
  shard.next_counter = 42;
  shard.bytes = 5 << 20;
  store.env.write([&](const Txn& txn) {
    save_stream(txn, stream);
    save_shard(txn, stream.id, shard);
  });
  StreamMeta read = store.stream("s");
  CHECK(read.retention_ms == kMaxRetentionMs);
  CHECK(read.last_arrival_ms == 1795428000123);
  ShardMeta back = store.shards(stream.id)[1];
  CHECK_FALSE(back.open);
  CHECK(back.closed_ms == 1795428000999);
  CHECK(back.records() == 25);
  CHECK(back.bytes == (5u << 20));
  CHECK(back.range.start == shard.range.start);
}

TEST_CASE("deleting a stream removes its catalog and groups but leaves its records to delete_records_step") {
  StoreFixture store;
  std::uint32_t id = store.create("gone", 2).id;
  std::uint32_t other = store.create("kept", 1).id;
  put_records(store, "gone", 3000, 20);
  put_records(store, "kept", 50, 20);
  store.env.write([&](const Txn& txn) { save_checkpoint(txn, id, "g", 0, Checkpoint{5, 1000, "", 0}); });

  store.env.write([&](const Txn& txn) { delete_stream(txn, stream_or_throw(txn, "gone")); });
  store.read([&](const Txn& txn) {
    CHECK_FALSE(find_stream(txn, "gone"));
    CHECK(list_groups(txn, id).empty());
  });
  CHECK(count_records_in_db(store, id, 2) == 3000);

  // Bounded steps until none is left; the other stream keeps every record.
  int steps = 0;
  for (bool done = false; !done; ++steps) {
    REQUIRE(steps < 10000);
    store.env.write([&](const Txn& txn) { done = delete_records_step(txn, id, 10); });
  }
  CHECK(steps > 1);
  CHECK(count_records_in_db(store, id, 2) == 0);
  CHECK(count_records(store, other) == 50);
}

TEST_CASE("delete_records_step deletes at most `limit` entries, blocks of records") {
  StoreFixture store;
  std::uint32_t id = store.create("gone", 1).id;
  put_records(store, "gone", 1000, 10);
  auto entries = [&] {
    std::size_t n = 0;
    ReadTxn reader(store.env);
    Txn txn = reader.renew();
    std::string prefix = keys::stream_prefix(id);
    Cursor cursor(txn, txn.dbs().records);
    for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next()) ++n;
    return n;
  };
  std::size_t before = entries();
  REQUIRE(before > 10);  // 1000 records of 10 bytes fill more than 10 blocks
  store.env.write([&](const Txn& txn) { delete_stream(txn, stream_or_throw(txn, "gone")); });
  bool done = true;
  store.env.write([&](const Txn& txn) { done = delete_records_step(txn, id, 10); });
  CHECK_FALSE(done);
  CHECK(entries() == before - 10);
}
