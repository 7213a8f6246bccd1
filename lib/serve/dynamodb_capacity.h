// ConsumedCapacity as DynamoDB counts it (DynamoDB developer guide, "Read/write capacity mode"
// and the provisioned throughput considerations of global and local secondary indexes; the
// counts are compared with DynamoDB Local's by tests/tools/dynamodb_oracle.py):
//
// - An item read or write costs what table/capacity.h says; a Query or Scan, the units of the
//   bytes of all it read, summed.
// - Each secondary index the write changes costs the write units of the item's entry there (what
//   the index projects of the item, all of it for ALL): an entry put or removed, its units; one
//   moved to another index key, the units of the old entry's delete and of the new one's put;
//   one changed in place, the larger entry's units. An index whose entry stays as it was, or
//   that the item is in neither before nor after, costs nothing and is not named. A local
//   index's entry is sized with 100 bytes of overhead, as DynamoDB Local sizes it.
// - A Query or Scan of an index reads the index's entries (their bytes summed); a local index
//   that fetches the items' other attributes from the table (Select ALL_ATTRIBUTES) costs, on
//   the table, each fetched item's read units.
// - Each action of a transaction costs twice as much.
//
// ReturnConsumedCapacity TOTAL gives a table's units summed; INDEXES gives them apart too: the
// table's ("Table"), and each index's under LocalSecondaryIndexes or GlobalSecondaryIndexes.
#pragma once

#include <boost/container/small_vector.hpp>
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/tables.h"
#include "table/capacity.h"
#include "table/index_entries.h"

namespace millrace::serve::dynamodb {

// ReturnConsumedCapacity: NONE (absent), TOTAL or INDEXES.
enum class CapacityDetail { none, total, indexes };
CapacityDetail capacity_detail(simdjson::dom::element request);

// DynamoDB's units of an item (table/capacity.h).
using table::item_read_units;
using table::item_write_units;
using table::ItemRead;
using table::kTransactionFactor;
using table::read_units;
using table::write_units;
// DynamoDB Local's units of a delete of an item that is not there: DeleteItem's and a
// transaction's Delete's, and a BatchWriteItem's DeleteRequest's.
inline constexpr double kMissingDeleteUnits = 1, kMissingBatchDeleteUnits = 2;

// What one request consumed of one table: on the table itself and on each of its indexes.
class Consumed {
 public:
  explicit Consumed(std::string table_name) : table_name_(std::move(table_name)) {}

  const std::string& table_name() const { return table_name_; }
  double total() const;
  // The units on the table itself, its indexes' aside (CloudWatch's ConsumedWriteCapacityUnits
  // of the table).
  double table_units() const { return table_; }
  // The units on the table's own capacity, which its local indexes share, and those of each
  // global index, which has its own: CloudWatch's ConsumedReadCapacityUnits of TableName, and
  // of TableName and GlobalSecondaryIndexName.
  double table_capacity_units() const;
  std::vector<std::pair<std::string_view, double>> global_index_units() const;

  void add_table(double units) { table_ += units; }
  // Units on `index`, which is named in the answer from now on, even with none (a read of it).
  void add_index(const store::IndexMeta& index, double units);
  // An observer of one item write's index upkeep (ItemWriter::put and remove) that adds the
  // write units of each entry changed, times `factor`. An item that had expired is none to
  // DynamoDB: `replaces_live` false counts no old entries. The observer refers to this object.
  table::EntryObserver index_writes(bool replaces_live, double factor = 1);

  // Appends {"TableName":…,"CapacityUnits":…}, with INDEXES the table's and the indexes' apart.
  void append(std::string& out, CapacityDetail detail) const;

 private:
  struct IndexUnits {
    std::string name;
    store::IndexKind kind;
    double units = 0;
  };
  std::string table_name_;
  double table_ = 0;
  std::vector<IndexUnits> indexes_;  // in the order first named
};

// Appends "ConsumedCapacity":[…], one object per table.
void append_capacities(std::string& out, const std::vector<Consumed>& tables, CapacityDetail detail);

// What a read (GetItem, BatchGetItem, Query, Scan, TransactGetItems, the item route) gave of
// each table it read, for the metrics (metrics/dynamodb.h): the units it consumed, as its
// ConsumedCapacity counts them whether or not the request asks for them, and the items it
// returned (a Query's or Scan's Count).
struct TableRead {
  Consumed consumed;
  std::uint64_t items = 0;
};
struct ReadUsage {
  std::string_view operation;  // "GetItem", ...: a literal
  boost::container::small_vector<TableRead, 1> tables;  // most reads read one table: no allocation
};

}  // namespace millrace::serve::dynamodb
