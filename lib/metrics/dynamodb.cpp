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
      read_units_(table_series(recorder, "ConsumedReadCapacityUnits", table_)),
      condition_failed_(table_series(recorder, "ConditionalCheckFailedRequests", table_)),
      expired_(table_series(recorder, "TimeToLiveDeletedItemCount", table_)) {}

void TableMetrics::expired(std::uint64_t items, lines::EpochMs at) {
  if (items > 0) recorder_.add(expired_, static_cast<double>(items), at);
}

Recorder::Series TableMetrics::of(ByName& known, std::string_view name, std::string_view dimension, std::string_view value,
                                  Unit unit) {
  auto it = known.find(value);
  if (it == known.end()) {
    Recorder::Series series = recorder_.series(kDynamoDB, name, {{"TableName", table_}, {std::string(dimension), std::string(value)}}, unit);
    it = known.emplace(std::string(value), series).first;
  }
  return it->second;
}

void TableMetrics::latency(std::string_view operation, double ms, lines::EpochMs at) {
  recorder_.add(of(latency_, "SuccessfulRequestLatency", "Operation", operation, Unit::milliseconds), ms, at);
}

void TableMetrics::returned(std::string_view operation, std::uint64_t items, lines::EpochMs at) {
  recorder_.add(of(returned_, "ReturnedItemCount", "Operation", operation, Unit::count), static_cast<double>(items), at);
}

void TableMetrics::consumed_index_read(std::string_view index, double units, lines::EpochMs at) {
  recorder_.add(of(index_read_units_, "ConsumedReadCapacityUnits", "GlobalSecondaryIndexName", index, Unit::count), units, at);
}

TableMetrics& TablesMetrics::of(std::string_view table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), TableMetrics(recorder_, std::string(table))).first;
  return it->second;
}

}  // namespace millrace::metrics
