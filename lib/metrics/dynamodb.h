// The metrics of Amazon DynamoDB (namespace AWS/DynamoDB) that the writers of a table record
// (kv-put, gw-serve's writes), at their commits, and gw-serve's reads, by CloudWatch's names,
// units and dimensions:
//
//   ConsumedWriteCapacityUnits      Count         TableName: per item write (a kv-put line, a
//                                                 gw-serve request), its units as DynamoDB
//                                                 counts them (table/capacity.h); a write whose
//                                                 condition failed costs the units of the item
//                                                 it left in place (at least 1), as DynamoDB's do
//   ConsumedReadCapacityUnits       Count         TableName: per gw-serve read of the table (a
//                                                 GetItem, BatchGetItem, Query, Scan,
//                                                 TransactGetItems, an item route's GET), its
//                                                 units as DynamoDB counts them, a local index's
//                                                 included; TableName, GlobalSecondaryIndexName:
//                                                 those of a Query or Scan of a global index
//   ReturnedItemCount               Count         TableName, Operation: per gw-serve read, the
//                                                 items it returned (a Query's or Scan's Count;
//                                                 DynamoDB records it for those only, millrace
//                                                 for every read, so that GetItem's Average is
//                                                 its hit rate)
//   ConditionalCheckFailedRequests  Count         TableName: 1 per write whose condition failed
//   TimeToLiveDeletedItemCount      Count         TableName: per commit that removed expired
//                                                 items, how many
//   SuccessfulRequestLatency        Milliseconds  TableName, Operation: gw-serve's requests;
//                                                 a write from decoding to its commit's
//                                                 beginning (not its fsync), a read from
//                                                 the request read whole to its answer (its
//                                                 AWS/ApiGateway Latency)
// kv-get commits nothing and records nothing. gw-serve's reads commit nothing either: it keeps
// their samples and writes them every few seconds (serve/request_metrics.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lines/time.h"
#include "metrics/minute_sets.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kDynamoDB = "AWS/DynamoDB";

// What the writers of one table record.
class TableMetrics {
 public:
  TableMetrics(Recorder& recorder, std::string table);
  void consumed_write(double units, lines::EpochMs at) { recorder_.add(write_units_, units, at); }
  // Read units of the global secondary index `index` of the table.
  void consumed_index_read(std::string_view index, double units, lines::EpochMs at);
  void condition_failed(lines::EpochMs at) { recorder_.add(condition_failed_, 1, at); }
  void expired(std::uint64_t items, lines::EpochMs at);
  // A request of `operation` ("PutItem") that took `ms`.
  void latency(std::string_view operation, double ms, lines::EpochMs at);

 private:
  using ByName = std::map<std::string, Recorder::Series, std::less<>>;
  // The series of metric `name` of the table with `dimension`=`value` too, from `known` (added
  // to it the first time).
  Recorder::Series of(ByName& known, std::string_view name, std::string_view dimension, std::string_view value, Unit unit);

  Recorder& recorder_;
  std::string table_;
  Recorder::Series write_units_, condition_failed_, expired_;
  ByName latency_;            // by operation
  ByName index_read_units_;  // by index
};

// What gw-serve's reads of tables record, of any table: ConsumedReadCapacityUnits of the table,
// ReturnedItemCount and SuccessfulRequestLatency of the table and the operation, kept as
// MinuteSets (metrics/minute_sets.h) so that a read costs two lookups and a few additions, and
// moved to a Recorder every few seconds. (A global index's units: TableMetrics.)
class TableReads {
 public:
  // A read of `table` by `operation` that consumed `units` of the table's own capacity (nullopt:
  // none of it, a read of a global index alone) and returned `items` items in `ms`.
  void add(std::string_view table, std::string_view operation, std::optional<double> units, std::uint64_t items, double ms,
           lines::EpochMs at);
  // Moves the samples added so far into `recorder`, as its metrics' samples.
  void move_to(Recorder& recorder);

 private:
  enum Metric : std::size_t { kUnits, kItems, kLatency, kMetrics };
  struct Operation {
    std::string name;
    MinuteSets<kMetrics> sets;
  };
  // An operation of a table; the last one added to, first, as reads come in runs of one kind.
  Operation& operation(std::string_view table, std::string_view name);

  std::unordered_map<std::string, std::vector<Operation>, NameHash, std::equal_to<>> tables_;  // a few operations each
  std::string_view last_table_;  // the key of the table of the last operation added to,
  Operation* last_ = nullptr;    // which stays where it is until a table's operations grow
};

// The same for any number of tables, by name (gw-serve).
class TablesMetrics {
 public:
  explicit TablesMetrics(Recorder& recorder) : recorder_(recorder) {}
  TableMetrics& of(std::string_view table);

 private:
  Recorder& recorder_;
  std::map<std::string, TableMetrics, std::less<>> tables_;
};

}  // namespace millrace::metrics
