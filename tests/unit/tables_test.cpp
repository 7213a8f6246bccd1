#include "store/tables.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store_fixture.h"

using namespace millrace;
using millrace::test::StoreFixture;

namespace {

store::TableMeta make(StoreFixture& store, std::string name, bool ttl) {
  store::TableMeta table;
  table.name = std::move(name);
  table.partition = {"Name", store::KeyType::string};
  if (ttl) table.ttl = "expires";
  store.env.write([&](const store::Txn& txn) { table = store::create_table(txn, table, 1000); });
  return table;
}

std::string key(const store::TableMeta& table, std::string_view partition) {
  std::string k = store::item_key_prefix(table.id);
  store::append_string_key(k, partition);
  return k;
}

}  // namespace

TEST_CASE("tables: created once, listed by name, with their schema") {
  StoreFixture store;
  auto units = make(store, "units", false);
  auto events = make(store, "events", true);
  CHECK(units.id != events.id);
  CHECK(units.created_ms == 1000);
  CHECK_THROWS(store.env.write([&](const store::Txn& txn) { store::create_table(txn, units, 2000); }));
  store.read([&](const store::Txn& txn) {
    auto tables = store::list_tables(txn);
    REQUIRE(tables.size() == 2);
    CHECK(tables[0].name == "events");
    CHECK(tables[0].ttl == std::optional<std::string>("expires"));
    CHECK(tables[1].name == "units");
    CHECK(tables[1].partition.name == "Name");
    CHECK_FALSE(tables[1].sort);
    CHECK_FALSE(store::find_table(txn, "other"));
  });
}

TEST_CASE("the item writer keeps the table's counts exact") {
  StoreFixture store;
  auto table = make(store, "units", false);
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    items.put_blind(key(table, "a"), R"({"Name":"a"})");              // 12 bytes
    items.put_blind(key(table, "b"), R"({"Name":"b","x":1})");        // 18
    items.put_blind(key(table, "a"), R"({"Name":"a","more":true})");  // replaces 12 with 24
    CHECK(table.items == 2);
    CHECK(table.bytes == 18 + 24);
    auto b = items.get(key(table, "b"));
    REQUIRE(b);
    CHECK(b->json == R"({"Name":"b","x":1})");
    items.remove(key(table, "b"), *b);
    CHECK(table.items == 1);
    CHECK(table.bytes == 24);
    CHECK_FALSE(items.get(key(table, "b")));
  });
}

TEST_CASE("expired items are removed first-expired first, only once expired") {
  StoreFixture store;
  auto table = make(store, "events", true);
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    items.put(key(table, "late"), std::nullopt, 5000, "{}");
    items.put(key(table, "early"), std::nullopt, 2000, "{}");
    items.put(key(table, "never"), std::nullopt, 0, "{}");
    // Rewriting "late" with a later expiry moves it in the expiry order.
    items.put(key(table, "late"), items.get(key(table, "late")), 9000, "{ }");
    std::vector<std::string> removed;
    auto collect = [&](std::string_view k, const store::StoredItem&) { removed.emplace_back(k); };
    CHECK_FALSE(items.remove_expired(1999, collect));
    CHECK(items.remove_expired(2000, collect));
    CHECK_FALSE(items.remove_expired(8999, collect));
    CHECK(items.remove_expired(20000, collect));
    CHECK_FALSE(items.remove_expired(20000, collect));
    REQUIRE(removed.size() == 2);
    CHECK(removed[0] == key(table, "early"));
    CHECK(removed[1] == key(table, "late"));
    CHECK(table.items == 1);
    CHECK(items.get(key(table, "never")));
  });
}

TEST_CASE("an item is expired from its expiry time on") {
  store::StoredItem item{1000, "{}"};
  CHECK_FALSE(item.expired(999));
  CHECK(item.expired(1000));
  CHECK_FALSE(store::StoredItem{0, "{}"}.expired(1LL << 60));
}
