#include "metrics/layout.h"

#include <doctest/doctest.h>
#include <lmdb.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/error.h"
#include "store/env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

std::string point_key(const MetricId& id, layout::Minute minute) {
  std::string key = layout::series_prefix(id);
  layout::append_minute(key, minute);
  return key;
}

}  // namespace

TEST_CASE("a metric's dimensions are its identity in any order") {
  MetricId a("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}, {"ShardId", "shardId-000000000001"}});
  MetricId b("AWS/Kinesis", "IncomingRecords", {{"ShardId", "shardId-000000000001"}, {"StreamName", "rides"}});
  CHECK(a == b);
  CHECK(layout::series_prefix(a) == layout::series_prefix(b));
  CHECK(a.dimensions.front().name == "ShardId");
  CHECK(*a.dimension("StreamName") == "rides");
  CHECK(a.dimension("TableName") == nullptr);
}

TEST_CASE("a metric's key holds its identity and the minute, big-endian, and decodes back") {
  MetricId id("AWS/Kinesis", "IncomingBytes", {{"StreamName", "rides"}});
  std::string key = point_key(id, 0x01020304);
  std::string expected = std::string("pAWS/Kinesis\0IncomingBytes\0\x01StreamName\0rides\0", 45) + "\x01\x02\x03\x04";
  CHECK(key == expected);
  CHECK(layout::point_minute(key) == 0x01020304u);
  CHECK(layout::point_series(key) == layout::series_prefix(id));
  CHECK(layout::decode_series(layout::point_series(key)) == id);
  CHECK(layout::decode_series(layout::series_prefix(MetricId("NS", "M"))) == MetricId("NS", "M"));
}

TEST_CASE("a metric's points sort by minute, and past_series sorts after all of them") {
  MetricId id("AWS/Lambda", "Duration", {{"FunctionName", "f"}});
  std::vector<layout::Minute> minutes = {0, 1, 255, 256, 65536, 29000000, 0xFFFFFFFF};
  std::vector<std::string> keys;
  for (layout::Minute m : minutes) keys.push_back(point_key(id, m));
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  std::string past = layout::past_series(layout::series_prefix(id));
  for (const std::string& key : keys) CHECK(key < past);
  // Another metric whose value extends this one's sorts after the whole series.
  MetricId longer("AWS/Lambda", "Duration", {{"FunctionName", "f2"}});
  CHECK(layout::series_prefix(longer) >= past);
  CHECK_FALSE(layout::series_prefix(longer).starts_with(layout::series_prefix(id)));
}

TEST_CASE("the minute of a time is its floor; times before the epoch are minute 0") {
  CHECK(layout::minute_of(0) == 0u);
  CHECK(layout::minute_of(59'999) == 0u);
  CHECK(layout::minute_of(60'000) == 1u);
  CHECK(layout::minute_of(-5) == 0u);
  lines::EpochMs t = *lines::parse_iso8601("2026-11-23T10:00:59.999Z");
  CHECK(layout::start_of(layout::minute_of(t)) == *lines::parse_iso8601("2026-11-23T10:00:00Z"));
}

TEST_CASE("a point's value keeps its unit and statistic set bit for bit") {
  layout::Point point{Unit::milliseconds, {}};
  for (double v : {3.25, 0.1, 1e300, -7.0}) point.set.add(v);
  char bytes[layout::kPointBytes];
  layout::encode_point(bytes, point);
  CHECK(bytes[0] == 1);
  CHECK(bytes[1] == 3);
  layout::Point back = layout::decode_point({bytes, sizeof bytes});
  CHECK(back.unit == Unit::milliseconds);
  CHECK(back.set == point.set);
  CHECK(back.set.sum == 3.25 + 0.1 + 1e300 - 7.0);
  CHECK(back.set.minimum == -7.0);
  CHECK(back.set.maximum == 1e300);
}

TEST_CASE("a value that is not a point's is a corrupt store, not undefined behaviour") {
  auto status = [](std::string_view value) {
    try {
      layout::decode_point(value);
    } catch (const cli::Error& e) {
      return e.status();
    }
    return cli::Exit::ok;
  };
  CHECK(status("short") == cli::Exit::unavailable);
  std::string wrong_layout(layout::kPointBytes, '\0');
  CHECK(status(wrong_layout) == cli::Exit::unavailable);
  std::string unknown_unit(layout::kPointBytes, '\0');
  unknown_unit[0] = 1;
  unknown_unit[1] = 99;
  CHECK(status(unknown_unit) == cli::Exit::unavailable);
  CHECK_THROWS_AS(layout::decode_series(std::string("pNS\0M", 5)), cli::Error);
}

TEST_CASE("metric ids with names CloudWatch refuses are named as such") {
  CHECK_FALSE(MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}).problem());
  CHECK(MetricId("", "M").problem());
  CHECK(MetricId("NS", "M", {{"D", ""}}).problem());
  CHECK(MetricId("NS", "M", {{"D", std::string(256, 'x')}}).problem());
  CHECK(MetricId("NS", "M", {{"D", std::string("a\0b", 3)}}).problem());
  CHECK(MetricId("NS", "M", {{"D", "1"}, {"D", "2"}}).problem());
}

TEST_CASE("a store made before the metrics database gets it on its next open, its data kept") {
  TempDir dir;
  {
    store::Env env(dir / "store", store::Access::write, store::Sync::none);
    env.write([&](const store::Txn& txn) { txn.put(env.dbs().groups, "k", "v"); });
    // As a millrace without metrics left it: the database is not there.
    MDB_txn* txn = env.begin(0);
    REQUIRE(mdb_drop(txn, env.dbs().metrics, 1) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
  }
  store::Env env(dir / "store", store::Access::write, store::Sync::none);
  env.write([&](const store::Txn& txn) { txn.put(env.dbs().metrics, "pk", "v"); });
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  CHECK(txn.get(env.dbs().groups, "k") == std::optional<std::string_view>("v"));
  CHECK(txn.get(env.dbs().metrics, "pk") == std::optional<std::string_view>("v"));
}
