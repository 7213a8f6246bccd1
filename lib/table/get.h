// Get: the reads of kv-get (GetItem, Query, Scan, ListTables, DescribeTable).
//
// Each read is one snapshot of the store. Expired items (past their TTL) are never returned,
// whether or not a writer has removed them yet. Items are written as stored, one a line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lines/writer.h"
#include "store/env.h"
#include "expr/condition.h"

namespace millrace::table {

// A condition on the sort key of a Query (KeyConditionExpression), its values as given on the
// command line and converted to the sort key's type.
struct SortCondition {
  enum class Kind { any, begins_with, between, lt, le, gt, ge };
  Kind kind = Kind::any;
  std::string value, upper;  // upper: the second value of between
};

struct ReadOptions {
  bool reverse = false;                 // Query: descending sort key (ScanIndexForward false)
  std::uint64_t limit = 0;              // at most this many items written; 0: no limit
  std::optional<expr::Condition> where;    // only items that satisfy it (FilterExpression)
};

// GetItem: writes the item of the key (`sort` for a table with a sort key), returns whether
// there is one. Throws cli::Error(no_input) for a missing table, (usage) for a key that does not
// fit the schema.
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

}  // namespace millrace::table
