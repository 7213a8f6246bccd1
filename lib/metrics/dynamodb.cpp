#include "metrics/dynamodb.h"

namespace millrace::metrics {
namespace {

Recorder::Series table_series(Recorder& recorder, std::string_view name, const std::string& table) {
  return recorder.series(kDynamoDB, name, {{"TableName", table}}, Unit::count);
}

}  // namespace

TableMetrics::TableMetrics(Recorder& recorder, std::string table)
    : recorder_(recorder),
      table_(std::move(table)),
      write_units_(table_series(recorder, "ConsumedWriteCapacityUnits", table_)),
      condition_failed_(table_series(recorder, "ConditionalCheckFailedRequests", table_)),
      expired_(table_series(recorder, "TimeToLiveDeletedItemCount", table_)) {}

void TableMetrics::expired(std::uint64_t items, lines::EpochMs at) {
  if (items > 0) recorder_.add(expired_, static_cast<double>(items), at);
}

void TableMetrics::latency(std::string_view operation, double ms, lines::EpochMs at) {
  auto it = latency_.find(operation);
  if (it == latency_.end()) {
    Recorder::Series series = recorder_.series(kDynamoDB, "SuccessfulRequestLatency",
                                               {{"TableName", table_}, {"Operation", std::string(operation)}}, Unit::milliseconds);
    it = latency_.emplace(std::string(operation), series).first;
  }
  recorder_.add(it->second, ms, at);
}

TableMetrics& TablesMetrics::of(std::string_view table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), TableMetrics(recorder_, std::string(table))).first;
  return it->second;
}

}  // namespace millrace::metrics
