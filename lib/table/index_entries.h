// Index entries: what the items of a table are in its secondary indexes (store/tables.h's
// IndexMeta), and their upkeep, which store::ItemWriter runs in the transaction of every item
// write -- kv-put's, gw-serve's, TTL expiry's -- so that an index, global ones too, never lags
// its table.
//
// An item has an entry in an index when it has the index's key attributes, each of its
// attribute's type (a non-empty string or binary, or a number). One that lacks one is not in the
// index, as in DynamoDB. One whose key attribute is of the wrong type, or empty, is refused by
// DynamoDB's writes: index_problem() says so, for the writers to refuse it before writing; the
// upkeep leaves such an item out of the index (an index made after the writer checked, or
// UpdateTable's backfill, where DynamoDB too leaves violating items out).
//
// An entry's key is the index's id, its key's encodings (store/item_key.h), then the item key
// without the table's prefix, at most 511 bytes (LMDB's limit): a longer one is refused as a
// problem too. Its value (store::IndexEntryValue) is the item's expiry, the item key's length
// and, unless the index projects ALL, the projected attributes' JSON: the table's and the
// index's key attributes and, for INCLUDE, the non-key attributes named, in the item's order,
// each value's text as written.
//
// Not thread-safe: one IndexUpkeep per write transaction (ItemWriter makes it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"
#include "store/tables.h"
#include "table/item.h"

namespace millrace::table {

// LMDB's limit on a key, and so on an entry's key.
inline constexpr std::size_t kMaxIndexEntryKeyBytes = 511;

// Why an item cannot be in an index whose key attributes it has.
struct IndexProblem {
  enum class Fault { wrong_type, empty, too_long };
  Fault fault;
  std::string index;      // its name
  std::string attribute;  // the key attribute at fault (too_long: the index's partition key)
  std::string text;       // in kv-put's words
};

// The first problem of the item with `attributes` and the item key `item_key` with an index of
// `table`; nullopt when it fits every index (or lacks their keys).
std::optional<IndexProblem> index_problem(const store::TableMeta& table, const std::vector<Attribute>& attributes,
                                          std::string_view item_key);

// Writes to `key` the key of the entry of the item (`attributes`, `item_key`) in `index`, and to
// `projected` its projection (empty for Projection::all); false when the item is not in the
// index (a key attribute missing or unfit, or too long a key).
bool index_entry(const store::TableMeta& table, const store::IndexMeta& index, const std::vector<Attribute>& attributes,
                 std::string_view item_key, std::string& key, std::string& projected);

// Appends to `out` what an entry of `index` holds of the item with `attributes` when the index
// does not project ALL: the table's and the index's key attributes and, for INCLUDE, the
// non-key attributes named, in the item's order.
void append_entry_projection(std::string& out, const store::TableMeta& table, const store::IndexMeta& index,
                             const std::vector<Attribute>& attributes);

// An item's entry in one index before and after a write, as IndexUpkeep::update sees them, for
// those who count what the write did to the index (DynamoDB's write units): what the entry
// holds of the item (its projection; for ALL, the item's JSON), nullopt when the item had or
// has no entry in the index. The views last as long as the observer's call.
struct EntryChange {
  const store::IndexMeta& index;
  std::optional<std::string_view> was, is;
  bool same_key = false;  // both there, under the same key
};
using EntryObserver = std::function<void(const EntryChange&)>;

// The item key that the entry `entry_key` (of a table with id `table_id`) points to.
std::string item_key_of_entry(std::uint32_t table_id, std::string_view entry_key, const store::IndexEntryValue& value);

class IndexUpkeep {
 public:
  IndexUpkeep(const store::Txn& txn, store::TableMeta& table) : txn_(txn), table_(table) {}

  // Moves the entries of the item under `item_key` from those of `old` (nullptr: there was no
  // item) to those of `json` (nullptr: the item is removed), expiring at `expires_ms`, and
  // keeps each index's counters. Entries that do not change are not written. `observer`, when
  // given, sees the change of each index where the item has or had an entry, before anything
  // is written.
  void update(std::string_view item_key, const store::StoredItem* old, const std::string_view* json,
              lines::EpochMs expires_ms, const EntryObserver* observer = nullptr);
  // Gives `index`, an index of the table, an entry for each item the table holds, in this
  // transaction (UpdateTable's Create); returns the entries made.
  std::uint64_t backfill(store::IndexMeta& index);

 private:
  struct Entry {
    bool present = false;
    std::string key, projected;
  };
  // The entries of the item `json` in every index, into `entries`; its size, for ALL's counters.
  void entries_of(std::string_view item_key, std::string_view json, ItemParser& parser, std::vector<Entry>& entries);
  void write(store::IndexMeta& index, const Entry& entry, std::size_t item_bytes, std::size_t item_key_bytes,
             lines::EpochMs expires_ms);

  const store::Txn& txn_;
  store::TableMeta& table_;
  ItemParser old_parser_, new_parser_;
  std::vector<Entry> old_entries_, new_entries_;
  std::string value_;
};

}  // namespace millrace::table
