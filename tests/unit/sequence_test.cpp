#include "store/sequence.h"

#include <doctest/doctest.h>

using namespace millrace::store;

TEST_CASE("sequence numbers name their shard and counter") {
  CHECK(format_sequence({0, 1}) == "10000000000000001");
  CHECK(format_sequence({11, 5}) == "120000000000000005");
  CHECK(parse_sequence("120000000000000005") == Position{11, 5});
  CHECK(parse_sequence(format_sequence({4000000, 9999999999999999})) == Position{4000000, 9999999999999999});
}

TEST_CASE("sequence numbers increase within a shard, also as strings") {
  CHECK(format_sequence({3, 9}) < format_sequence({3, 10}));
  CHECK(format_sequence({3, 999}) < format_sequence({3, 1000}));
}

TEST_CASE("malformed sequence numbers are refused") {
  CHECK_FALSE(parse_sequence("1"));
  CHECK_FALSE(parse_sequence("0000000000000000001"));  // shard part 0 has no shard
  CHECK_FALSE(parse_sequence("1x000000000000001"));
  CHECK_FALSE(parse_sequence("10000000000000000a"));
}

TEST_CASE("shard ids are Kinesis'") {
  CHECK(shard_id(12) == "shardId-000000000012");
  CHECK(shard_id(0) == "shardId-000000000000");
  CHECK(shard_id(4294967295u) == "shardId-004294967295");
  std::string out = "[";
  append_shard_id(out, 1020304);
  CHECK(out == "[shardId-000001020304");
  CHECK(parse_shard_id("shardId-000000000012") == 12u);
  CHECK_FALSE(parse_shard_id("shard-1"));
  CHECK_FALSE(parse_shard_id("shardId-"));
}
