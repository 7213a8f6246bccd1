// Tables: the key-value tables of the store (databases `tables`, `items`, `expiry`).
//
// A table has an id (so its items never mix with those of a deleted table of the same name),
// a key schema (a partition key and an optional sort key, each a top-level attribute of type
// string or number, fixed at creation), an optional TTL attribute, and counters kept exact in
// every commit: items, bytes, and the change records numbered so far.
//
// items: key = table id (4 bytes, big-endian), then the partition key's and the sort key's
// encodings (item_key.h); value = layout byte, expiry time (ms since the epoch, 0 for none),
// then the item's JSON, byte for byte as written.
// expiry: key = table id, expiry time (8 bytes, big-endian), item key; empty value. It lists
// the items with a TTL in the order they expire, so writers remove expired items in bounded
// steps without scanning the table.
// indexes: the entries of the table's secondary indexes (IndexMeta below), kept by ItemWriter in
// the transaction of every item write (table/index_entries.h makes them from the items).
//
// All functions take a transaction view; functions that write need a write transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/error.h"
#include "lines/time.h"
#include "store/env.h"
#include "store/item_key.h"

namespace millrace::table {
class IndexUpkeep;
struct EntryChange;
}

namespace millrace::store {

// LMDB's keys are at most 511 bytes; an expiry entry is 12 bytes and an item key: the two key
// encodings of an item together take at most this much. Longer keys are refused, never cut.
inline constexpr std::size_t kMaxKeyBytes = 511 - 12 - 4;
// DynamoDB's limit on an item's size.
inline constexpr std::size_t kMaxItemBytes = 400 * 1024;
// Expired items a commit removes at most: the removal goes on in bounded steps, so a write
// never pauses for a large expiry.
inline constexpr int kExpiredPerCommit = 1000;

struct KeyAttribute {
  std::string name;
  KeyType type = KeyType::string;
};

// How the table is billed, as DynamoDB's BillingMode: metadata only, kept and given back.
enum class BillingMode : std::uint8_t { provisioned, pay_per_request };

// A secondary index (DynamoDB's LocalSecondaryIndexes and GlobalSecondaryIndexes). Its entries
// are keyed by its id (from the counter of table ids, so no table or index ever shares a
// prefix), then its key's encodings, then the item key without the table's prefix: so a
// partition of the index is a prefix, ordered by the index's sort key and then by the table's
// key, and items sharing an index key each have their entry.
enum class IndexKind : std::uint8_t { local, global };
// What an entry holds of its item: ALL of it (the entry points to the item), the key attributes
// of the table and of the index (KEYS_ONLY), or those and `non_key` (INCLUDE).
enum class Projection : std::uint8_t { all, keys_only, include };

struct IndexMeta {
  std::string name;
  IndexKind kind = IndexKind::global;
  std::uint32_t id = 0;
  KeyAttribute partition;
  std::optional<KeyAttribute> sort;
  Projection projection = Projection::all;
  std::vector<std::string> non_key;  // INCLUDE's NonKeyAttributes, as given
  bool provisioned = false;          // a global index's ProvisionedThroughput was given
  std::int64_t read_units = 0, write_units = 0;
  std::uint64_t items = 0;  // entries
  std::uint64_t bytes = 0;  // the bytes of their items' JSON (ALL) or of their projections
};

struct TableMeta {
  std::string name;
  std::uint32_t id = 0;
  lines::EpochMs created_ms = 0;
  KeyAttribute partition;
  std::optional<KeyAttribute> sort;
  std::optional<std::string> ttl;  // the TTL attribute
  std::uint64_t items = 0;         // items stored, expired or not (as DynamoDB's ItemCount)
  std::uint64_t bytes = 0;         // the bytes of their JSON
  std::uint64_t changes = 0;       // change records numbered so far
  // DynamoDB's table settings, kept as given (CreateTable, UpdateTable). A table made by
  // kv-put is on demand.
  BillingMode billing = BillingMode::pay_per_request;
  lines::EpochMs on_demand_since_ms = 0;  // LastUpdateToPayPerRequestDateTime; 0: never on demand
  std::int64_t read_units = 0, write_units = 0;  // ProvisionedThroughput
  bool deletion_protection = false;
  // CreateTable's AttributeDefinitions, in the order given; empty: the key attributes'.
  std::vector<KeyAttribute> definitions;
  std::vector<IndexMeta> indexes;  // ordered by name

  const IndexMeta* index(std::string_view index_name) const;
};

// The attribute definitions of `table`: those given, or its key attributes.
std::vector<KeyAttribute> attribute_definitions(const TableMeta& table);
// A fresh id for an index of the store (from the counter of table ids).
std::uint32_t next_id(const Txn& txn);
// Deletes every entry of the index `index_id`.
void delete_index_entries(const Txn& txn, std::uint32_t index_id);

std::optional<TableMeta> find_table(const Txn& txn, std::string_view name);
// Like find_table, but a missing table throws cli::Error(no_input).
// The error for a table that is not there (66), saying how to create one.
cli::Error no_such_table(std::string_view name);
TableMeta table_or_throw(const Txn& txn, std::string_view name);
std::vector<TableMeta> list_tables(const Txn& txn);
void save_table(const Txn& txn, const TableMeta& table);
// Creates `table` (its name, key schema, TTL attribute and settings), giving it an id and `now`
// as its creation time (and, on demand, as on_demand_since_ms). Throws cli::Error(cant_create)
// when a table of that name exists.
TableMeta create_table(const Txn& txn, TableMeta table, lines::EpochMs now);
// Deletes the table `name`: its items, their expiry entries, its tags and the table itself, in
// the write transaction `txn`. Returns the table as it was; throws no_such_table() when there
// is none.
TableMeta delete_table(const Txn& txn, std::string_view name);

// The 4 bytes that begin the key of every item of a table.
std::string item_key_prefix(std::uint32_t table_id);

struct StoredItem {
  lines::EpochMs expires_ms = 0;  // 0: never
  std::string_view json;

  bool expired(lines::EpochMs now) const { return expires_ms != 0 && expires_ms <= now; }
};
// Decodes an `items` value.
StoredItem decode_item(std::string_view value);

// An `indexes` value: the item's expiry (so reads skip expired items as the table's do), the
// length of the item key at the end of the entry's key, and the projected attributes' JSON
// (empty for Projection::all: the item is read from `items`).
struct IndexEntryValue {
  lines::EpochMs expires_ms = 0;
  std::size_t item_key_bytes = 0;
  std::string_view json;

  bool expired(lines::EpochMs now) const { return expires_ms != 0 && expires_ms <= now; }
};
void encode_index_entry(std::string& out, lines::EpochMs expires_ms, std::size_t item_key_bytes, std::string_view json);
IndexEntryValue decode_index_entry(std::string_view value);

// The items of one table within one write transaction: puts and deletes keep the table's
// counters, its expiry list and the entries of its secondary indexes (with their counters).
// Call save_table afterwards.
class ItemWriter {
 public:
  ItemWriter(const Txn& txn, TableMeta& table);
  ~ItemWriter();
  ItemWriter(const ItemWriter&) = delete;
  ItemWriter& operator=(const ItemWriter&) = delete;

  // The stored item under `key`, expired or not; its view lasts until the next write.
  std::optional<StoredItem> get(std::string_view key) const;
  // Stores `json` under `key`, replacing `old`, the item there (as get() returned it).
  // `observer` sees what the write does to the item's index entries (table/index_entries.h).
  void put(std::string_view key, const std::optional<StoredItem>& old, lines::EpochMs expires_ms,
           std::string_view json, const std::function<void(const table::EntryChange&)>* observer = nullptr);
  // Stores `json` under `key` when the table has no TTL and nothing is needed of the item it
  // may replace: one B-tree descent for a new key (a table with indexes reads the old item).
  // Returns whether it replaced an item, whose JSON goes to `replaced` when given.
  bool put_blind(std::string_view key, std::string_view json, std::string* replaced = nullptr);
  void remove(std::string_view key, const StoredItem& old,
              const std::function<void(const table::EntryChange&)>* observer = nullptr);
  // Removes the item that expired first, if it expired at or before `now`, after calling
  // removed(key, item) with it; false when there is none.
  bool remove_expired(lines::EpochMs now,
                      const std::function<void(std::string_view key, const StoredItem& item)>& removed);

 private:
  void set_expiry(std::string_view key, lines::EpochMs expires_ms, bool present);
  table::IndexUpkeep& indexes();
  const Txn& txn_;
  TableMeta& table_;
  std::unique_ptr<table::IndexUpkeep> indexes_;  // made at the first write to a table with indexes
};

}  // namespace millrace::store
