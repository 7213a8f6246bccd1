#include "metrics/dynamodb.h"

#include <algorithm>

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

void TableMetrics::consumed_index_read(std::string_view index, double units, lines::EpochMs at) {
  recorder_.add(of(index_read_units_, "ConsumedReadCapacityUnits", "GlobalSecondaryIndexName", index, Unit::count), units, at);
}

TableReads::Operation& TableReads::operation(std::string_view table, std::string_view name) {
  if (last_ != nullptr && last_->name == name && last_table_ == table) return *last_;
  auto known = tables_.find(table);
  if (known == tables_.end()) known = tables_.emplace(std::string(table), std::vector<Operation>()).first;
  std::vector<Operation>& operations = known->second;
  auto it = std::find_if(operations.begin(), operations.end(), [&](const Operation& o) { return o.name == name; });
  if (it == operations.end()) it = operations.insert(operations.end(), Operation{std::string(name), {}});
  last_table_ = known->first;
  last_ = &*it;
  return *it;
}

void TableReads::add(std::string_view table, std::string_view operation_name, std::optional<double> units, std::uint64_t items,
                     double ms, lines::EpochMs at) {
  auto& sets = operation(table, operation_name).sets.at(at);
  if (units) sets[kUnits].add(*units);
  sets[kItems].add(static_cast<double>(items));
  sets[kLatency].add(ms);
}

void TableReads::move_to(Recorder& recorder) {
  for (auto& [table, operations] : tables_) {
    const std::string& name = table;  // a lambda may not capture a structured binding (clang)
    Recorder::Series units = table_series(recorder, "ConsumedReadCapacityUnits", name);
    for (Operation& operation : operations) {
      auto of = [&](const char* metric, Unit unit) {
        return recorder.series(kDynamoDB, metric, {{"TableName", name}, {"Operation", operation.name}}, unit);
      };
      Recorder::Series items = of("ReturnedItemCount", Unit::count), latency = of("SuccessfulRequestLatency", Unit::milliseconds);
      operation.sets.take([&](layout::Minute minute, const std::array<StatisticSet, kMetrics>& taken) {
        recorder.add(units, taken[kUnits], minute);
        recorder.add(items, taken[kItems], minute);
        recorder.add(latency, taken[kLatency], minute);
      });
    }
  }
}

TableMetrics& TablesMetrics::of(std::string_view table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), TableMetrics(recorder_, std::string(table))).first;
  return it->second;
}

}  // namespace millrace::metrics
