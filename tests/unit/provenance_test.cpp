#include "stream/provenance.h"

#include <doctest/doctest.h>

#include <map>

#include "store/groups.h"
#include "store_fixture.h"

using namespace millrace;
using millrace::test::StoreFixture;

namespace {

std::map<std::uint32_t, store::Checkpoint> load(StoreFixture& store, std::uint32_t stream_id, std::string_view group) {
  std::map<std::uint32_t, store::Checkpoint> checkpoints;
  store.read([&](const store::Txn& txn) { checkpoints = store::load_checkpoints(txn, stream_id, group); });
  return checkpoints;
}

}  // namespace

TEST_CASE("the highest record noted per group and shard becomes the checkpoint") {
  StoreFixture store;
  auto rides = store.create("rides", 2);
  stream::GroupProgress progress;
  CHECK(progress.empty());
  // Shard 0's records 7 and 5 (out of order), shard 1's record 3, and another group's record 9.
  CHECK_FALSE(progress.note("rides", "archive", "10000000000000007"));
  CHECK_FALSE(progress.note("rides", "archive", "10000000000000005"));
  CHECK_FALSE(progress.note("rides", "archive", "20000000000000003"));
  CHECK_FALSE(progress.note("rides", "table", "10000000000000009"));
  CHECK_FALSE(progress.empty());
  store.env.write([&](const store::Txn& txn) { progress.commit(txn, 1795428000000); });
  CHECK_FALSE(progress.empty());  // kept, in case the transaction's body runs again
  progress.clear();
  CHECK(progress.empty());

  auto archive = load(store, rides.id, "archive");
  REQUIRE(archive.size() == 2);
  CHECK(archive.at(0).counter == 7);
  CHECK(archive.at(0).updated_ms == 1795428000000);
  CHECK(archive.at(1).counter == 3);
  CHECK(load(store, rides.id, "table").at(0).counter == 9);
}

TEST_CASE("a checkpoint never moves back, and keeps its lease") {
  StoreFixture store;
  auto rides = store.create("rides", 1);
  store.env.write([&](const store::Txn& txn) {
    store::save_checkpoint(txn, rides.id, "archive", 0, {20, 1, "host-a:1", 1795428030000});
  });
  stream::GroupProgress progress;
  CHECK_FALSE(progress.note("rides", "archive", "10000000000000012"));
  store.env.write([&](const store::Txn& txn) { progress.commit(txn, 2); });
  CHECK(load(store, rides.id, "archive").at(0).counter == 20);

  progress.clear();
  CHECK_FALSE(progress.note("rides", "archive", "10000000000000025"));
  store.env.write([&](const store::Txn& txn) { progress.commit(txn, 3); });
  store::Checkpoint moved = load(store, rides.id, "archive").at(0);
  CHECK(moved.counter == 25);
  CHECK(moved.updated_ms == 3);
  CHECK(moved.owner == "host-a:1");
  CHECK(moved.lease_expiry_ms == 1795428030000);
}

TEST_CASE("bad provenance is refused; a stream deleted meanwhile is passed over") {
  stream::GroupProgress progress;
  CHECK(progress.note("rides", "archive", "12x"));
  CHECK(progress.note("rides/..", "archive", "10000000000000001"));
  CHECK(progress.note("rides", "", "10000000000000001"));
  CHECK(progress.empty());

  StoreFixture store;
  CHECK_FALSE(progress.note("gone", "archive", "10000000000000001"));
  store.env.write([&](const store::Txn& txn) { progress.commit(txn, 1); });
}
