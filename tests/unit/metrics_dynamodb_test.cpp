#include "metrics/dynamodb.h"

#include <doctest/doctest.h>

#include <string>

#include "metrics/query.h"
#include "store/env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

MetricId table_metric(const char* name, const char* table, const char* operation = nullptr) {
  std::vector<Dimension> dimensions = {{"TableName", table}};
  if (operation) dimensions.push_back({"Operation", operation});
  return MetricId("AWS/DynamoDB", name, dimensions);
}

}  // namespace

TEST_CASE("reads: a table's units of every operation, its items and latency by operation") {
  TempDir dir;
  store::Env env(dir / "store", store::Access::write, store::Sync::none);
  TableReads reads;
  reads.add("rides", "GetItem", 0.5, 1, 2, at("2026-11-23T10:00:01Z"));
  reads.add("rides", "GetItem", 1, 0, 3, at("2026-11-23T10:00:02Z"));  // a miss
  reads.add("rides", "Query", 4, 30, 5, at("2026-11-23T10:00:03Z"));
  reads.add("rides", "Query", std::nullopt, 7, 1, at("2026-11-23T10:00:04Z"));  // of a global index alone
  reads.add("users", "Scan", 2.5, 10, 8, at("2026-11-23T10:01:00Z"));
  Recorder recorder;
  reads.move_to(recorder);
  write(env, &recorder, [](const store::Txn&) {});
  store::ReadTxn reader(env);
  const store::Txn& txn = reader.renew();
  StatisticSet units = read_total(txn, table_metric("ConsumedReadCapacityUnits", "rides"));
  CHECK(units.sum == 5.5);
  CHECK(units.sample_count == 3);
  CHECK(units.minimum == 0.5);
  CHECK(units.maximum == 4);
  CHECK(read_total(txn, table_metric("ConsumedReadCapacityUnits", "users")).sum == 2.5);
  StatisticSet items = read_total(txn, table_metric("ReturnedItemCount", "rides", "GetItem"));
  CHECK(items.sum == 1);
  CHECK(items.sample_count == 2);
  CHECK(read_total(txn, table_metric("ReturnedItemCount", "rides", "Query")).sum == 37);
  CHECK(read_total(txn, table_metric("SuccessfulRequestLatency", "rides", "Query")).sum == 6);
  CHECK(read_total(txn, table_metric("SuccessfulRequestLatency", "users", "Scan")).maximum == 8);
  CHECK(read_total(txn, table_metric("ReturnedItemCount", "users", "GetItem")).empty());
}
