#include "store/records.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli/error.h"
#include "store_fixture.h"

using namespace millrace::store;
using millrace::test::StoreFixture;
using millrace::test::StoredRecord;

namespace {

struct Input {
  std::string pk, data;
  bool json;
};

// Appends `inputs` in one commit to a one-shard stream (any hash goes to shard 0).
std::vector<Position> append(Producer& producer, const std::vector<Input>& inputs) {
  std::vector<Put> puts;
  for (const Input& in : inputs) puts.push_back({0, in.pk, in.data, in.json});
  std::vector<Position> placed;
  producer.append(puts, placed);
  return placed;
}

// Records whose data says which they are, of `size` bytes (at least 12).
std::vector<Input> numbered(std::size_t from, std::size_t count, std::size_t size) {
  std::vector<Input> out;
  for (std::size_t i = from; i < from + count; ++i) {
    std::string data = "r" + std::to_string(i) + ":";
    data.resize(size, static_cast<char>('a' + i % 26));
    out.push_back({"pk" + std::to_string(i), data, i % 3 != 0});
  }
  return out;
}

void check_same(const std::vector<StoredRecord>& got, const std::vector<Input>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].counter == i + 1);
    CHECK(got[i].partition_key == expected[i].pk);
    CHECK(got[i].data.size() == expected[i].data.size());
    CHECK(got[i].data == expected[i].data);
    CHECK(got[i].json == expected[i].json);
  }
}

// Lets the clock move on, so that the next commit has a later arrival time.
void next_millisecond() { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }

}  // namespace

TEST_CASE("records come back in order with their keys, data and flags, counters dense from 1") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  std::vector<Input> inputs = {{"k1", R"({"a":1})", true}, {"k2", "not json", false}, {"é", "3", true}};
  std::vector<Position> placed = append(producer, inputs);
  CHECK(placed == std::vector<Position>{{0, 1}, {0, 2}, {0, 3}});
  check_same(store.records(id, 0), inputs);
  ShardMeta shard = store.shards(id)[0];
  CHECK(shard.first_counter == 1);
  CHECK(shard.next_counter == 4);
  CHECK(shard.bytes == 7 + 8 + 1);
}

TEST_CASE("records larger than a block and many small ones mix, over several commits") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  std::vector<Input> all;
  std::size_t sizes[] = {12, kBlockBytes - 30, kBlockBytes, kBlockBytes + 1, 5000, 12, 12, 1 << 20, 300, 12};
  for (int commit = 0; commit < 4; ++commit) {
    std::vector<Input> batch;
    for (std::size_t size : sizes) batch.push_back(numbered(all.size() + batch.size(), 1, size)[0]);
    for (const Input& in : numbered(all.size() + batch.size(), 200, 40)) batch.push_back(in);
    std::vector<Position> placed = append(producer, batch);
    for (std::size_t i = 0; i < placed.size(); ++i) CHECK(placed[i] == Position{0, all.size() + i + 1});
    all.insert(all.end(), batch.begin(), batch.end());
  }
  check_same(store.records(id, 0), all);
  std::uint64_t bytes = 0;
  for (const Input& in : all) bytes += in.data.size();
  CHECK(store.shards(id)[0].bytes == bytes);
  CHECK(store.shards(id)[0].next_counter == all.size() + 1);
}

TEST_CASE("a record goes to the open shard whose hash-key range holds its hash") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 4).id;
  Producer producer(store.env, store.notifier, "s");
  const HashKey quarter = HashKey{1} << 126;
  std::vector<Put> puts = {{0, "a", "0", true},           {quarter, "b", "1", true},     {quarter - 1, "c", "2", true},
                           {2 * quarter + 5, "d", "3", true}, {kMaxHashKey, "e", "4", true}, {3 * quarter, "f", "5", true}};
  std::vector<Position> placed;
  producer.append(puts, placed);
  CHECK(placed == std::vector<Position>{{0, 1}, {1, 1}, {0, 2}, {2, 1}, {3, 1}, {3, 2}});
  std::vector<std::string> keys;
  for (const StoredRecord& r : store.records(id, 3)) keys.push_back(r.partition_key);
  CHECK(keys == std::vector<std::string>{"e", "f"});
  CHECK(store.shards(id)[1].records() == 1);
}

TEST_CASE("seek lands on any counter, also inside a block, and fails past the end") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 2).id;
  Producer producer(store.env, store.notifier, "s");
  std::vector<Input> all;
  for (std::size_t commit = 0; commit < 3; ++commit) {  // 500 records of 50 bytes, about 18 to a block
    std::vector<Input> batch = numbered(all.size(), commit == 1 ? 300 : 100, 50);
    append(producer, batch);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  // A record in shard 1, after every key of shard 0: seeking past shard 0's end must not reach it.
  std::vector<Position> placed;
  producer.append(std::vector<Put>{{kMaxHashKey, "other", "other shard", false}}, placed);
  REQUIRE(placed[0] == Position{1, 1});

  store.read([&](const Txn& txn) {
    ShardCursor cursor(txn, id, 0);
    for (std::uint64_t counter = 1; counter <= all.size(); ++counter) {
      CAPTURE(counter);
      REQUIRE(cursor.seek(counter));
      CHECK(cursor.record().position == Position{0, counter});
      CHECK(cursor.record().data == all[counter - 1].data);
      CHECK(cursor.record().partition_key == all[counter - 1].pk);
    }
    REQUIRE(cursor.seek(0));
    CHECK(cursor.record().position.counter == 1);
    REQUIRE(cursor.seek(250));
    for (std::uint64_t counter = 251; counter <= all.size(); ++counter) {
      REQUIRE(cursor.next());
      CHECK(cursor.record().position.counter == counter);
      CHECK(cursor.record().data == all[counter - 1].data);
    }
    CHECK_FALSE(cursor.next());
    CHECK_FALSE(cursor.seek(all.size() + 1));
    CHECK_FALSE(cursor.seek(UINT64_MAX - 1));

    ShardCursor other(txn, id, 1);
    REQUIRE(other.seek(1));
    CHECK(other.record().data == "other shard");
    CHECK_FALSE(other.record().json);
    CHECK_FALSE(other.seek(2));
  });
}

TEST_CASE("an empty shard has nothing to seek") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 3).id;
  Producer producer(store.env, store.notifier, "s");
  std::vector<Position> placed;
  producer.append(std::vector<Put>{{0, "a", "x", true}, {kMaxHashKey, "z", "y", true}}, placed);
  store.read([&](const Txn& txn) {
    ShardCursor middle(txn, id, 1);
    CHECK_FALSE(middle.seek(0));
    CHECK_FALSE(middle.seek(1));
  });
}

TEST_CASE("counter_at_time finds the first record that arrived at or after a time") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  append(producer, numbered(0, 3, 20));  // counters 1-3
  next_millisecond();
  append(producer, numbered(3, 40, 100));  // 4-43, several blocks
  next_millisecond();
  append(producer, numbered(43, 4, 20));  // 44-47
  std::vector<StoredRecord> got = store.records(id, 0);
  REQUIRE(got.size() == 47);
  millrace::lines::EpochMs a = got[0].arrival_ms, b = got[3].arrival_ms, c = got[43].arrival_ms;
  CHECK(got[2].arrival_ms == a);  // one arrival time per commit
  CHECK(got[42].arrival_ms == b);
  REQUIRE(a < b);
  REQUIRE(b < c);
  ShardMeta shard = store.shards(id)[0];
  store.read([&](const Txn& txn) {
    CHECK(counter_at_time(txn, id, shard, 0) == 1);
    CHECK(counter_at_time(txn, id, shard, a) == 1);
    CHECK(counter_at_time(txn, id, shard, a + 1) == 4);
    CHECK(counter_at_time(txn, id, shard, b) == 4);
    CHECK(counter_at_time(txn, id, shard, b + 1) == 44);
    CHECK(counter_at_time(txn, id, shard, c) == 44);
    CHECK(counter_at_time(txn, id, shard, c + 1) == 48);  // none: next_counter
  });
}

TEST_CASE("trim_shard removes only whole blocks older than the cutoff") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  append(producer, numbered(0, 60, 100));  // about 9 records to a block
  next_millisecond();
  std::vector<Input> young = numbered(60, 5, 100);
  append(producer, young);
  millrace::lines::EpochMs b = store.records(id, 0).back().arrival_ms;

  // Nothing arrived before the first commit.
  store.env.write([&](const Txn& txn) {
    ShardMeta shard = load_shards(txn, id)[0];
    CHECK(trim_shard(txn, id, shard, store.records(id, 0).front().arrival_ms, 1000) == 0);
    CHECK(shard.first_counter == 1);
  });

  // A limit of one record stops after the first whole block.
  std::uint64_t first_block = 0;
  store.env.write([&](const Txn& txn) {
    ShardMeta shard = load_shards(txn, id)[0];
    first_block = trim_shard(txn, id, shard, b, 1);
    CHECK(first_block >= 1);
    CHECK(first_block < 60);
    CHECK(shard.first_counter == first_block + 1);
    CHECK(shard.bytes == (65 - first_block) * 100);
    save_shard(txn, id, shard);
  });
  std::vector<StoredRecord> left = store.records(id, 0);
  REQUIRE(left.size() == 65 - first_block);
  CHECK(left.front().counter == first_block + 1);

  // Without a limit, the rest of the old commit goes, and the young one stays whole.
  store.env.write([&](const Txn& txn) {
    ShardMeta shard = load_shards(txn, id)[0];
    CHECK(trim_shard(txn, id, shard, b, 1000) == 60 - first_block);
    CHECK(shard.first_counter == 61);
    CHECK(shard.next_counter == 66);
    CHECK(shard.bytes == 500);
    save_shard(txn, id, shard);
  });
  left = store.records(id, 0);
  REQUIRE(left.size() == 5);
  CHECK(left.front().counter == 61);
  CHECK(left.front().data == young.front().data);
}

TEST_CASE("each append trims the records that passed the stream's retention") {
  StoreFixture store;
  StreamMeta stream = store.create("s", 1);
  stream.retention_ms = 1;  // below what ks-shard allows, so that the test needs no clock
  store.env.write([&](const Txn& txn) { save_stream(txn, stream); });
  Producer producer(store.env, store.notifier, "s");
  append(producer, numbered(0, 30, 100));
  next_millisecond();
  std::vector<Input> young = numbered(30, 2, 100);
  append(producer, young);
  std::vector<StoredRecord> left = store.records(stream.id, 0);
  REQUIRE(left.size() == 2);
  CHECK(left[0].counter == 31);
  CHECK(left[1].data == young[1].data);
  CHECK(store.shards(stream.id)[0].first_counter == 31);
  CHECK(store.shards(stream.id)[0].bytes == 200);
}

TEST_CASE("appends well beyond the initial 64 MiB map keep exactly the records put, in order") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  std::vector<Input> all;
  // One commit of 80 MiB in records of 64 KiB and of 200 bytes...
  std::vector<Input> big = numbered(0, 1280, 64 << 10);
  for (const Input& in : numbered(1280, 20000, 200)) big.push_back(in);
  std::vector<Position> placed = append(producer, big);
  CHECK(placed.back() == Position{0, big.size()});
  all = std::move(big);
  // ...then several smaller ones that grow the map again between commits.
  for (int commit = 0; commit < 4; ++commit) {
    std::vector<Input> batch = numbered(all.size(), 100000, 120);
    placed = append(producer, batch);
    CHECK(placed.front() == Position{0, all.size() + 1});
    all.insert(all.end(), batch.begin(), batch.end());
  }
  std::vector<StoredRecord> got = store.records(id, 0);
  check_same(got, all);
  CHECK(store.shards(id)[0].next_counter == all.size() + 1);
}

TEST_CASE("each append publishes the stream's epoch") {
  StoreFixture store;
  std::uint32_t id = store.create("s", 1).id;
  Producer producer(store.env, store.notifier, "s");
  std::uint32_t before = store.notifier.epoch(id);
  append(producer, numbered(0, 2, 20));
  CHECK(store.notifier.epoch(id) != before);
}

TEST_CASE("a producer for a missing or deleted stream is no_input") {
  StoreFixture store;
  auto status = [](auto&& body) {
    try {
      body();
    } catch (const millrace::cli::Error& e) {
      return e.status();
    }
    return millrace::cli::Exit::ok;
  };
  CHECK(status([&] { Producer p(store.env, store.notifier, "nope"); }) == millrace::cli::Exit::no_input);
  store.create("s", 1);
  Producer producer(store.env, store.notifier, "s");
  store.env.write([&](const Txn& txn) { delete_stream(txn, stream_or_throw(txn, "s")); });
  CHECK(status([&] { append(producer, numbered(0, 1, 20)); }) == millrace::cli::Exit::no_input);
}
