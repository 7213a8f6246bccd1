#include "table/index_entries.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/tables.h"
#include "store_fixture.h"
#include "table/get.h"

using namespace millrace;
using millrace::test::StoreFixture;

namespace {

// Table "rides": key user (S); index "by_city" (global): city (S), then at (N), projecting
// INCLUDE fare; index "everything" (global): city alone, projecting ALL. TTL on "expires".
store::TableMeta make(StoreFixture& store) {
  store::TableMeta table;
  table.name = "rides";
  table.partition = {"user", store::KeyType::string};
  table.ttl = "expires";
  store::IndexMeta by_city;
  by_city.name = "by_city";
  by_city.partition = {"city", store::KeyType::string};
  by_city.sort = store::KeyAttribute{"at", store::KeyType::number};
  by_city.projection = store::Projection::include;
  by_city.non_key = {"fare"};
  store::IndexMeta everything;
  everything.name = "everything";
  everything.partition = {"city", store::KeyType::string};
  table.indexes = {by_city, everything};
  store.env.write([&](const store::Txn& txn) { table = store::create_table(txn, table, 1000); });
  return table;
}

std::string item_key(const store::TableMeta& table, std::string_view user) {
  std::string key = store::item_key_prefix(table.id);
  store::append_string_key(key, user);
  return key;
}

// The key by_city gives the item of `user` in `city` at `at`, made from the layout's parts.
std::string by_city_key(const store::TableMeta& table, std::string_view city, std::string_view at, std::string_view user) {
  std::string key = store::item_key_prefix(table.indexes[0].id);
  store::append_string_key(key, city);
  REQUIRE_FALSE(store::append_number_key(key, at));
  store::append_string_key(key, user);
  return key;
}

void put(StoreFixture& store, store::TableMeta& table, std::string_view user, std::string_view json,
         lines::EpochMs expires_ms = 0) {
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    std::string key = item_key(table, user);
    items.put(key, items.get(key), expires_ms, json);
    store::save_table(txn, table);
  });
}

void remove(StoreFixture& store, store::TableMeta& table, std::string_view user) {
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    std::string key = item_key(table, user);
    items.remove(key, *items.get(key));
    store::save_table(txn, table);
  });
}

// What the upkeep's observer saw of one write (`json` nullopt: a delete), an index a line:
// "NAME was -> is, same key|other key", "-" for no entry.
std::vector<std::string> observed(StoreFixture& store, store::TableMeta& table, std::string_view user,
                                  std::optional<std::string_view> json) {
  std::vector<std::string> seen;
  table::EntryObserver observer = [&](const table::EntryChange& change) {
    seen.push_back(fmt::format("{} {} -> {}, {}", change.index.name, change.was.value_or("-"), change.is.value_or("-"),
                               change.same_key ? "same key" : "other key"));
  };
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    std::string key = item_key(table, user);
    if (json)
      items.put(key, items.get(key), 0, *json, &observer);
    else
      items.remove(key, *items.get(key), &observer);
    store::save_table(txn, table);
  });
  return seen;
}

// The entries of the table's index `i`: key and what a read of the index gives of the item.
std::vector<std::pair<std::string, std::string>> entries(StoreFixture& store, const store::TableMeta& table, std::size_t i) {
  std::vector<std::pair<std::string, std::string>> found;
  store.read([&](const store::Txn& txn) {
    store::TableMeta stored = store::table_or_throw(txn, table.name);
    table::for_each_item(txn, table::table_range(stored, &stored.indexes[i]), false, std::nullopt,
                         [&](std::string_view key, std::string_view json) {
                           found.emplace_back(std::string(key), std::string(json));
                           return true;
                         });
  });
  return found;
}

store::TableMeta stored(StoreFixture& store, std::string_view name) {
  store::TableMeta table;
  store.read([&](const store::Txn& txn) { table = store::table_or_throw(txn, name); });
  return table;
}

}  // namespace

TEST_CASE("an item's put gives it an entry in each index whose keys it has, with the projection") {
  StoreFixture store;
  store::TableMeta table = make(store);
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5,"fare":12.5,"note":"x"})");
  put(store, table, "bob", R"({"user":"bob","city":"Oslo","note":"no at: not in by_city"})");
  auto by_city = entries(store, table, 0);
  REQUIRE(by_city.size() == 1);
  CHECK(by_city[0].first == by_city_key(table, "Oslo", "5", "ann"));
  // INCLUDE fare: the keys of the table and of the index, and fare, in the item's order.
  CHECK(by_city[0].second == R"({"user":"ann","city":"Oslo","at":5,"fare":12.5})");
  auto everything = entries(store, table, 1);
  REQUIRE(everything.size() == 2);  // ann and bob: both have city; ALL gives the whole item
  CHECK(everything[0].second == R"({"user":"ann","city":"Oslo","at":5,"fare":12.5,"note":"x"})");
  CHECK(everything[1].second == R"({"user":"bob","city":"Oslo","note":"no at: not in by_city"})");
  store::TableMeta after = stored(store, "rides");
  CHECK(after.indexes[0].items == 1);
  CHECK(after.indexes[0].bytes == std::string(R"({"user":"ann","city":"Oslo","at":5,"fare":12.5})").size());
  CHECK(after.indexes[1].items == 2);
}

TEST_CASE("entries of one index key are ordered by the table's key") {
  StoreFixture store;
  store::TableMeta table = make(store);
  for (std::string_view user : {"cy", "al", "bo"})
    put(store, table, user, fmt::format(R"({{"user":"{}","city":"Rome","at":1}})", user));
  auto by_city = entries(store, table, 0);
  REQUIRE(by_city.size() == 3);
  CHECK(by_city[0].first == by_city_key(table, "Rome", "1", "al"));
  CHECK(by_city[1].first == by_city_key(table, "Rome", "1", "bo"));
  CHECK(by_city[2].first == by_city_key(table, "Rome", "1", "cy"));
}

TEST_CASE("an overwrite that changes the index key moves the entry; one that leaves the keys drops it") {
  StoreFixture store;
  store::TableMeta table = make(store);
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5})");
  put(store, table, "ann", R"({"user":"ann","city":"Bergen","at":7})");
  auto by_city = entries(store, table, 0);
  REQUIRE(by_city.size() == 1);
  CHECK(by_city[0].first == by_city_key(table, "Bergen", "7", "ann"));
  CHECK(stored(store, "rides").indexes[0].items == 1);

  put(store, table, "ann", R"({"user":"ann","at":7})");  // no city: leaves both indexes
  CHECK(entries(store, table, 0).empty());
  CHECK(entries(store, table, 1).empty());
  CHECK(stored(store, "rides").indexes[0].items == 0);
  CHECK(stored(store, "rides").indexes[0].bytes == 0);

  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":7})");  // enters them again
  CHECK(entries(store, table, 0).size() == 1);
  CHECK(entries(store, table, 1).size() == 1);
}

TEST_CASE("a non-key change rewrites a projection that holds it, and the counters follow") {
  StoreFixture store;
  store::TableMeta table = make(store);
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5,"fare":1})");
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5,"fare":100})");
  auto by_city = entries(store, table, 0);
  REQUIRE(by_city.size() == 1);
  CHECK(by_city[0].second == R"({"user":"ann","city":"Oslo","at":5,"fare":100})");
  store::TableMeta after = stored(store, "rides");
  CHECK(after.indexes[0].bytes == by_city[0].second.size());
  CHECK(after.indexes[1].bytes == after.bytes);  // ALL: the items' bytes
}

TEST_CASE("a delete removes the item's entries") {
  StoreFixture store;
  store::TableMeta table = make(store);
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5})");
  put(store, table, "bob", R"({"user":"bob","city":"Oslo","at":6})");
  remove(store, table, "ann");
  auto by_city = entries(store, table, 0);
  REQUIRE(by_city.size() == 1);
  CHECK(by_city[0].first == by_city_key(table, "Oslo", "6", "bob"));
  CHECK(entries(store, table, 1).size() == 1);
  CHECK(stored(store, "rides").indexes[1].items == 1);
}

TEST_CASE("TTL: an expired item is not read through an index, and its removal removes its entries") {
  StoreFixture store;
  store::TableMeta table = make(store);
  lines::EpochMs past = lines::now_ms() - 1000;
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5})", past);
  put(store, table, "bob", R"({"user":"bob","city":"Oslo","at":6})");
  CHECK(entries(store, table, 0).size() == 1);  // ann's is there, but expired
  CHECK(stored(store, "rides").indexes[0].items == 2);
  store.env.write([&](const store::Txn& txn) {
    store::ItemWriter items(txn, table);
    CHECK(items.remove_expired(lines::now_ms(), [](std::string_view, const store::StoredItem&) {}));
    store::save_table(txn, table);
  });
  CHECK(stored(store, "rides").indexes[0].items == 1);
  CHECK(stored(store, "rides").indexes[1].items == 1);
  std::size_t raw = 0;  // the entries left in the database, expired or not
  store.read([&](const store::Txn& txn) {
    store::Cursor cursor(txn, txn.dbs().indexes);
    for (bool ok = cursor.seek(""); ok; ok = cursor.next()) ++raw;
  });
  CHECK(raw == 2);
}

TEST_CASE("index_problem: a key attribute of the wrong type or empty, named with its index") {
  StoreFixture store;
  store::TableMeta table = make(store);
  table::ItemParser parser;
  std::string key = item_key(table, "ann");
  auto problem = [&](std::string_view json) { return table::index_problem(table, *parser.split(json), key); };
  CHECK_FALSE(problem(R"({"user":"ann"})"));               // lacks the keys: not in the indexes
  CHECK_FALSE(problem(R"({"user":"ann","city":"Oslo"})"));  // in "everything" only
  auto wrong = problem(R"({"user":"ann","city":"Oslo","at":"5"})");
  REQUIRE(wrong);
  CHECK(wrong->fault == table::IndexProblem::Fault::wrong_type);
  CHECK(wrong->index == "by_city");
  CHECK(wrong->attribute == "at");
  auto empty = problem(R"({"user":"ann","city":""})");
  REQUIRE(empty);
  CHECK(empty->fault == table::IndexProblem::Fault::empty);
  // 4 bytes of index id, 503 + 2 of city, 5 of the item key: 514, over 511.
  auto tall = problem(fmt::format(R"({{"user":"ann","city":"{}"}})", std::string(503, 'c')));
  REQUIRE(tall);
  CHECK(tall->fault == table::IndexProblem::Fault::too_long);
}

TEST_CASE("backfill indexes the items already there; deleting the table deletes the entries") {
  StoreFixture store;
  store::TableMeta table = make(store);
  put(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5})");
  put(store, table, "bob", R"({"user":"bob"})");
  store.env.write([&](const store::Txn& txn) {
    store::IndexMeta late;
    late.name = "late";
    late.partition = {"user", store::KeyType::string};
    late.projection = store::Projection::keys_only;
    late.id = store::next_id(txn);
    table.indexes.push_back(late);
    table::IndexUpkeep upkeep(txn, table);
    CHECK(upkeep.backfill(table.indexes.back()) == 2);
    store::save_table(txn, table);
  });
  auto late = entries(store, table, 2);
  REQUIRE(late.size() == 2);
  CHECK(late[0].second == R"({"user":"ann"})");
  CHECK(stored(store, "rides").indexes[2].items == 2);
  store.env.write([&](const store::Txn& txn) { store::delete_table(txn, "rides"); });
  std::size_t raw = 0;
  store.read([&](const store::Txn& txn) {
    store::Cursor cursor(txn, txn.dbs().indexes);
    for (bool ok = cursor.seek(""); ok; ok = cursor.next()) ++raw;
  });
  CHECK(raw == 0);
}

TEST_CASE("the upkeep's observer sees each index's entry before and after, ALL's as the item") {
  StoreFixture store;
  store::TableMeta table = make(store);
  // A new item in both indexes.
  CHECK(observed(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5,"note":"x"})") ==
        std::vector<std::string>{R"(by_city - -> {"user":"ann","city":"Oslo","at":5}, other key)",
                                 R"(everything - -> {"user":"ann","city":"Oslo","at":5,"note":"x"}, other key)"});
  // A change by_city does not project: its entry is seen unchanged; ALL's item changed.
  CHECK(observed(store, table, "ann", R"({"user":"ann","city":"Oslo","at":5,"note":"y"})") ==
        std::vector<std::string>{R"(by_city {"user":"ann","city":"Oslo","at":5} -> {"user":"ann","city":"Oslo","at":5}, same key)",
                                 R"(everything {"user":"ann","city":"Oslo","at":5,"note":"x"} -> {"user":"ann","city":"Oslo","at":5,"note":"y"}, same key)"});
  // The index key changed: the entries move; at gone: out of by_city.
  CHECK(observed(store, table, "ann", R"({"user":"ann","city":"Rome","note":"y"})") ==
        std::vector<std::string>{R"(by_city {"user":"ann","city":"Oslo","at":5} -> -, other key)",
                                 R"(everything {"user":"ann","city":"Oslo","at":5,"note":"y"} -> {"user":"ann","city":"Rome","note":"y"}, other key)"});
  // An item in no index: nothing seen; a delete: the entries it had.
  CHECK(observed(store, table, "bob", R"({"user":"bob"})").empty());
  CHECK(observed(store, table, "ann", std::nullopt) ==
        std::vector<std::string>{R"(everything {"user":"ann","city":"Rome","note":"y"} -> -, other key)"});
  CHECK(entries(store, table, 1).empty());
}
