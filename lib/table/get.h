// Get: the reads of kv-get (GetItem, Query, Scan, ListTables, DescribeTable).
//
// Each read is one snapshot of the store. Expired items (past their TTL) are never returned,
// whether or not a writer has removed them yet. Items are written as stored, one a line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "lines/writer.h"
#include "metrics/canvas.h"
#include "store/env.h"
#include "store/tables.h"
#include "expr/condition.h"

namespace millrace::table {

// A condition on the sort key of a Query (KeyConditionExpression), its values as given on the
// command line and converted to the sort key's type.
struct SortCondition {
  enum class Kind { any, begins_with, between, lt, le, gt, ge };
  Kind kind = Kind::any;
  std::string value, upper;  // upper: the second value of between
};

// A range of item keys: those that start with `prefix` and lie between the bounds (store
// keys, table prefix included); or, with `index`, of the keys of that index's entries.
struct KeyRange {
  const store::IndexMeta* index = nullptr;  // its table's, which outlives the range
  std::uint32_t table_id = 0;
  std::string prefix;
  std::string lower;  // at least prefix
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = true;

  bool above_lower(std::string_view key) const { return lower_inclusive ? key >= lower : key > lower; }
  bool below_upper(std::string_view key) const { return !upper || (upper_inclusive ? key <= *upper : key < *upper); }
  bool contains(std::string_view key) const { return key.starts_with(prefix) && above_lower(key) && below_upper(key); }
};

// The keys of every item of `table` (Scan), or of every entry of its index `index`.
KeyRange table_range(const store::TableMeta& table, const store::IndexMeta* index = nullptr);
// The keys a Query of `partition` with `condition` reads, the values given as arguments
// (append_key_argument), of the table or of its index `index` (by the index's key). Throws
// cli::Error(usage) naming the problem: a value that does not fit its key's type, a condition
// on a table without a sort key, begins_with on a number.
KeyRange query_range(const store::TableMeta& table, std::string_view partition, const SortCondition& condition,
                     const store::IndexMeta* index = nullptr);
// The index `name` of `table`; throws cli::Error(usage) when it has none of that name.
const store::IndexMeta& index_or_throw(const store::TableMeta& table, std::string_view name);

// Calls visit(key, item) for each live item of `range` (expired ones are skipped), in key
// order or, with `reverse`, descending, from after the key `after` when given (a page's
// ExclusiveStartKey), until visit returns false. For an index, the key is the entry's and the
// item is what the index projects of it (all of it for ALL).
using ItemVisitor = std::function<bool(std::string_view key, std::string_view json)>;
void for_each_item(const store::Txn& txn, const KeyRange& range, bool reverse, std::optional<std::string_view> after,
                   const ItemVisitor& visit);

struct ReadOptions {
  bool reverse = false;                 // Query: descending sort key (ScanIndexForward false)
  std::uint64_t limit = 0;              // at most this many items written; 0: no limit
  std::optional<expr::Condition> where;    // only items that satisfy it (FilterExpression)
  std::string index;                    // Query and Scan read this secondary index ("": the table)
};

// Throws cli::Error(usage) naming the table when GetItem's key arguments are not its key's: a
// sort key missing, or one too many.
void check_key_count(const store::TableMeta& table, std::optional<std::string_view> sort);
// GetItem in the snapshot `txn`: the stored JSON of the item of the key (`sort` for a table with
// a sort key), valid while `txn` is, or nullopt when there is none or it has expired. Throws
// cli::Error(usage) for a key that does not fit the schema, a sort key missing or one too many.
std::optional<std::string_view> find_item(const store::Txn& txn, const store::TableMeta& table,
                                          std::string_view partition, std::optional<std::string_view> sort);
// GetItem: writes the item of the key (`sort` for a table with a sort key), returns whether
// there is one. Throws cli::Error(no_input) for a missing table, (usage) as find_item.
bool get_item(store::Env& env, std::string_view table, std::string_view partition,
              std::optional<std::string_view> sort, lines::Writer& out);
// Query: the items of one partition key, by sort key. Returns how many were written.
std::uint64_t query(store::Env& env, std::string_view table, std::string_view partition,
                    const SortCondition& condition, const ReadOptions& options, lines::Writer& out);
// Scan: every item of the table, in key order. Returns how many were written.
std::uint64_t scan(store::Env& env, std::string_view table, const ReadOptions& options, lines::Writer& out);

// ListTables: {"TableName":…} a line, by name.
void list_tables(store::Env& env, lines::Writer& out);
// DescribeTable, in its shape: TableName, KeySchema, AttributeDefinitions, ItemCount,
// TableSizeBytes, CreationDateTime, TimeToLiveDescription.
void describe_table(store::Env& env, std::string_view table, lines::Writer& out);
// Appends that description of `table`, and a newline.
void append_table_description(std::string& out, const store::TableMeta& table);
// The table's ConsumedWriteCapacityUnits and ConsumedReadCapacityUnits of the last hour, as
// metrics/last_hour.h draws them in `columns` columns at `now` (kv-get --describe on a terminal).
std::string capacity_last_hour(store::Env& env, std::string_view table, lines::EpochMs now, int columns,
                               metrics::Glyphs glyphs);
// Appends DescribeTable's "KeySchema":[…],"AttributeDefinitions":[…] of `table`.
void append_key_schema(std::string& out, const store::TableMeta& table);

}  // namespace millrace::table
