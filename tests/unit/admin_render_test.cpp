#include "stream/admin_render.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

using namespace millrace;
using namespace millrace::stream;

namespace {

// A stream of one shard holding records 1 to 3 (40 bytes), and a group checkpointed at 1.
StreamState counted_state() {
  StreamState state;
  state.stream.name = "rides";
  state.stream.created_ms = 0;
  state.stream.retention_ms = 48 * 3'600'000LL;
  store::ShardMeta shard;
  shard.range = {0, store::kMaxHashKey};
  shard.next_counter = 4;
  shard.bytes = 40;
  state.shards.push_back({shard, std::nullopt, std::nullopt});
  GroupShardState behind;
  behind.shard = 0;
  behind.checkpoint.counter = 1;
  behind.behind = 2;
  behind.iterator_age_ms = 0;
  state.groups.push_back({"g", {behind}});
  return state;
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  return doc;
}

}  // namespace

TEST_CASE("describe --json of the store counts records and bytes and has the groups") {
  simdjson::dom::parser parser;
  std::string text = describe_json(counted_state());
  simdjson::dom::element doc = parse(parser, text);
  CHECK(doc["Records"].get_uint64().value() == 3);
  CHECK(doc["Shards"].at(0)["Bytes"].get_uint64().value() == 40);
  CHECK(doc["Groups"].at(0)["Shards"].at(0)["RecordsBehind"].get_uint64().value() == 2);
  CHECK(doc["RetentionPeriodHours"].get_double().value() == 48);
  CHECK(std::string(doc["StreamStatus"].get_string().value()) == "ACTIVE");
}

TEST_CASE("an endpoint's description leaves out what the service does not tell") {
  StreamState state = counted_state();
  state.counted = false;
  state.status = "UPDATING";
  state.open_shard_count = 5;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parse(parser, describe_json(state));
  CHECK(std::string(doc["StreamStatus"].get_string().value()) == "UPDATING");
  CHECK(doc["OpenShardCount"].get_uint64().value() == 5);
  CHECK(doc["Records"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(doc["Groups"].error() == simdjson::NO_SUCH_FIELD);
  simdjson::dom::element shard = doc["Shards"].at(0);
  CHECK(std::string(shard["State"].get_string().value()) == "OPEN");
  CHECK(std::string(shard["HashKeyRange"]["EndingHashKey"].get_string().value()) == "340282366920938463463374607431768211455");
  for (const char* member : {"Records", "Bytes", "FirstSequenceNumber", "LastSequenceNumber", "FirstArrival", "LastArrival"})
    CHECK_MESSAGE(shard[member].error() == simdjson::NO_SUCH_FIELD, member);

  std::string table = describe_table(state);
  CHECK(table.rfind("stream rides (UPDATING): 5 open shards, retention 2d, created ", 0) == 0);
  CHECK(table.find("RECORDS") == std::string::npos);
  CHECK(table.find("group g") == std::string::npos);
  CHECK(table.find("shardId-000000000000 open   -") != std::string::npos);

  std::string list = list_table({state}, false);
  CHECK(list.find("RECORDS") == std::string::npos);
  CHECK(list.find("rides (UPDATING)") != std::string::npos);
  CHECK(list_table({}, true).find("RECORDS") != std::string::npos);
}
