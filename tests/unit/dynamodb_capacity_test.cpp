#include "serve/dynamodb_capacity.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

using namespace millrace;
using serve::dynamodb::CapacityDetail;
using serve::dynamodb::Consumed;

namespace {

store::IndexMeta index_named(std::string_view name, store::IndexKind kind) {
  store::IndexMeta index;
  index.name = name;
  index.kind = kind;
  return index;
}

// A plain item of one string attribute "k" whose DynamoDB size is `bytes` (its name's byte and
// the value's).
std::string entry_of(std::size_t bytes) { return fmt::format(R"({{"k":"{}"}})", std::string(bytes - 1, 'x')); }

// The units `consumed` gives with INDEXES.
std::string indexes(const Consumed& consumed) {
  std::string out;
  consumed.append(out, CapacityDetail::indexes);
  return out;
}

}  // namespace

TEST_CASE("units: a write unit per KB, at least one, of the larger item; a read unit per 4 KB, halved") {
  using serve::dynamodb::item_write_units;
  using serve::dynamodb::read_units;
  CHECK(item_write_units(std::nullopt, 1) == 1);
  CHECK(item_write_units(std::nullopt, 1024) == 1);
  CHECK(item_write_units(std::nullopt, 1025) == 2);
  CHECK(item_write_units(3000, 10) == 3);  // the item replaced is the larger
  CHECK(item_write_units(2100, std::nullopt) == 3);
  CHECK(item_write_units(std::nullopt, std::nullopt) == 0);
  CHECK(read_units(4096, true) == 1);
  CHECK(read_units(4097, true) == 2);
  CHECK(read_units(4097, false) == 1);
  CHECK(read_units(1, false) == 0.5);
}

TEST_CASE("index writes: put, removed, moved, changed in place, unchanged") {
  store::IndexMeta global = index_named("by_g", store::IndexKind::global);
  std::string small = entry_of(1000), large = entry_of(2049);  // 1 and 3 units
  auto units = [&](std::optional<std::string_view> was, std::optional<std::string_view> is, bool same_key) {
    Consumed consumed("t");
    table::EntryObserver observer = consumed.index_writes(true);
    observer(table::EntryChange{global, was, is, same_key});
    return consumed.total();
  };
  CHECK(units(std::nullopt, large, false) == 3);  // put: the new entry's
  CHECK(units(large, std::nullopt, false) == 3);  // removed: the old entry's
  CHECK(units(small, large, false) == 4);         // moved: the old one's delete and the new one's put
  CHECK(units(large, small, true) == 3);          // in place: the larger's
  CHECK(units(small, small, true) == 0);          // unchanged
}

TEST_CASE("index writes: a local index's entry has 100 bytes of overhead; an expired item had no entry; a factor") {
  store::IndexMeta local = index_named("by_l", store::IndexKind::local);
  store::IndexMeta global = index_named("by_g", store::IndexKind::global);
  std::string entry = entry_of(950);  // 1 unit; 1050 bytes with the overhead: 2
  Consumed consumed("t");
  table::EntryObserver observer = consumed.index_writes(true);
  observer(table::EntryChange{local, std::nullopt, entry, false});
  observer(table::EntryChange{global, std::nullopt, entry, false});
  CHECK(indexes(consumed) == R"({"TableName":"t","CapacityUnits":3.0,"Table":{"CapacityUnits":0.0},)"
                             R"("LocalSecondaryIndexes":{"by_l":{"CapacityUnits":2.0}},"GlobalSecondaryIndexes":{"by_g":{"CapacityUnits":1.0}}})");

  Consumed expired("t");
  table::EntryObserver replacing_expired = expired.index_writes(false, 2);
  replacing_expired(table::EntryChange{global, entry, entry, true});  // the same entry, but the old one does not count
  replacing_expired(table::EntryChange{local, entry, std::nullopt, false});  // only an expired entry removed: nothing
  CHECK(indexes(expired) == R"({"TableName":"t","CapacityUnits":2.0,"Table":{"CapacityUnits":0.0},)"
                            R"("GlobalSecondaryIndexes":{"by_g":{"CapacityUnits":2.0}}})");
}

TEST_CASE("ConsumedCapacity: TOTAL sums the table's and the indexes' units; INDEXES gives them apart") {
  store::IndexMeta global = index_named("by_g", store::IndexKind::global);
  Consumed consumed("rides");
  consumed.add_table(1.5);
  CHECK(indexes(consumed) == R"({"TableName":"rides","CapacityUnits":1.5,"Table":{"CapacityUnits":1.5}})");
  consumed.add_index(global, 0);  // a read of the index names it, even with no units
  consumed.add_index(global, 2);
  std::string total;
  consumed.append(total, CapacityDetail::total);
  CHECK(total == R"({"TableName":"rides","CapacityUnits":3.5})");
  CHECK(indexes(consumed) ==
        R"({"TableName":"rides","CapacityUnits":3.5,"Table":{"CapacityUnits":1.5},"GlobalSecondaryIndexes":{"by_g":{"CapacityUnits":2.0}}})");
}
