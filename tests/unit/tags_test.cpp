#include "store/tags.h"

#include <doctest/doctest.h>

#include "store/keys.h"
#include "store_fixture.h"
#include "stream/admin.h"

using namespace millrace;
using millrace::test::StoreFixture;

namespace {

store::Tags tags_of(StoreFixture& store, std::uint32_t stream_id) {
  store::Tags tags;
  store.read([&](const store::Txn& txn) { tags = store::load_tags(txn, store::keys::stream_tags(stream_id)); });
  return tags;
}

void tag(StoreFixture& store, std::uint32_t stream_id, const store::Tags& tags) {
  store.env.write([&](const store::Txn& txn) { store::save_tags(txn, store::keys::stream_tags(stream_id), tags); });
}

}  // namespace

TEST_CASE("tags are saved and loaded by stream, sorted by key; saving none removes them") {
  StoreFixture store;
  std::uint32_t rides = store.create("rides", 1).id;
  std::uint32_t other = store.create("other", 1).id;
  tag(store, rides,
      {{"team", "data"}, {"env", "test"}, {"", "empty key"}, {"\xc3\xa9t\xc3\xa9", ""}});
  store::Tags loaded = tags_of(store, rides);
  REQUIRE(loaded.size() == 4);
  CHECK(loaded.begin()->first == "");
  CHECK(loaded.at("env") == "test");
  CHECK(loaded.at("\xc3\xa9t\xc3\xa9").empty());
  CHECK(tags_of(store, other).empty());
  tag(store, rides, {});
  CHECK(tags_of(store, rides).empty());
}

TEST_CASE("a deleted stream's tags go with it; made again under its name, it has none") {
  StoreFixture store;
  std::uint32_t old_id = store.create("rides", 1).id;
  std::uint32_t kept = store.create("kept", 1).id;
  tag(store, old_id, {{"team", "data"}});
  tag(store, kept, {{"team", "ops"}});
  stream::delete_stream(store.env, "rides");
  CHECK(tags_of(store, old_id).empty());  // not left behind under the old id
  std::uint32_t new_id =
      stream::create_stream(store.env, "rides", 1, store::kDefaultRetentionMs).id;
  CHECK(tags_of(store, new_id).empty());
  CHECK(tags_of(store, kept) == store::Tags{{"team", "ops"}});  // another stream's tags stay
}
