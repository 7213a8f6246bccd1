// The metrics of Amazon DynamoDB (namespace AWS/DynamoDB) that the writers of a table record
// (kv-put, gw-serve's writes), at their commits, by CloudWatch's names, units and dimensions:
//
//   ConsumedWriteCapacityUnits      Count         TableName: per item write (a kv-put line, a
//                                                 gw-serve request), its units as DynamoDB
//                                                 counts them (table/capacity.h); a write whose
//                                                 condition failed costs the units of the item
//                                                 it left in place (at least 1), as DynamoDB's do
//   ConditionalCheckFailedRequests  Count         TableName: 1 per write whose condition failed
//   TimeToLiveDeletedItemCount      Count         TableName: per commit that removed expired
//                                                 items, how many
//   SuccessfulRequestLatency        Milliseconds  TableName, Operation: gw-serve's write
//                                                 requests, from decoding to their commit's
//                                                 beginning (not its fsync)
// Reads (kv-get, gw-serve's GetItem, Query, Scan) commit nothing and record nothing: no
// ConsumedReadCapacityUnits nor ReturnedItemCount.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kDynamoDB = "AWS/DynamoDB";

// What the writers of one table record.
class TableMetrics {
 public:
  TableMetrics(Recorder& recorder, std::string table);
  void consumed_write(double units, lines::EpochMs at) { recorder_.add(write_units_, units, at); }
  void condition_failed(lines::EpochMs at) { recorder_.add(condition_failed_, 1, at); }
  void expired(std::uint64_t items, lines::EpochMs at);
  // A request of `operation` ("PutItem") that took `ms`.
  void latency(std::string_view operation, double ms, lines::EpochMs at);

 private:
  Recorder& recorder_;
  std::string table_;
  Recorder::Series write_units_, condition_failed_, expired_;
  std::map<std::string, Recorder::Series, std::less<>> latency_;  // by operation
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
