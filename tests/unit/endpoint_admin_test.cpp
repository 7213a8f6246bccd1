#include "stream/endpoint_admin.h"

#include <doctest/doctest.h>

#include <vector>

#include "cli/error.h"
#include "error_status.h"

using namespace millrace;
using namespace millrace::stream;
using millrace::test::error_status;

namespace {

aws::ShardInfo shard(std::string id, std::string parent, std::string adjacent, bool closed, store::HashRange range) {
  aws::ShardInfo info;
  info.id = std::move(id);
  info.parent = std::move(parent);
  info.adjacent_parent = std::move(adjacent);
  info.closed = closed;
  info.hash_range = range;
  return info;
}

const store::HashKey kHalf = store::HashKey{1} << 127;

}  // namespace

TEST_CASE("an endpoint's shards become the store's, lineage by index") {
  std::vector<aws::ShardInfo> listed = {
      shard("shardId-000000000000", "", "", true, {0, store::kMaxHashKey}),
      shard("shardId-000000000001", "shardId-000000000000", "", false, {0, kHalf - 1}),
      shard("shardId-000000000002", "shardId-000000000000", "", false, {kHalf, store::kMaxHashKey}),
      shard("shardId-000000000010", "shardId-000000000001", "shardId-000000000002", false, {0, store::kMaxHashKey}),
  };
  auto metas = shard_metas(listed, "http://e");
  REQUIRE(metas.size() == 4);
  CHECK((metas[0].index == 0 && !metas[0].open && metas[0].parent == store::kNoShard));
  CHECK((metas[2].index == 2 && metas[2].open && metas[2].parent == 0 && metas[2].adjacent_parent == store::kNoShard));
  CHECK(metas[2].range.start == kHalf);
  CHECK((metas[3].index == 10 && metas[3].parent == 1 && metas[3].adjacent_parent == 2));

  // An id not of Kinesis' form is an endpoint the programs cannot follow.
  listed.push_back(shard("shard-x", "", "", false, {0, 1}));
  CHECK(error_status([&] { shard_metas(listed, "http://e"); }) == cli::Exit::unavailable);
  listed.back() = shard("shardId-000000000011", "parent", "", false, {0, 1});
  CHECK(error_status([&] { shard_metas(listed, "http://e"); }) == cli::Exit::unavailable);
}

TEST_CASE("an endpoint's state has the summary's status, retention and open shards, and no counts") {
  aws::StreamSummary summary{"rides", "UPDATING", 48, 1'700'000'000'123, 2};
  StreamState state = endpoint_state(summary, shard_metas({shard("shardId-000000000000", "", "", true, {0, 5})}, "e"));
  CHECK(state.stream.name == "rides");
  CHECK(state.status == "UPDATING");
  CHECK(state.stream.retention_ms == 48 * 3'600'000LL);
  CHECK(state.stream.created_ms == 1'700'000'000'123);
  CHECK_FALSE(state.counted);
  CHECK(state.open_shards() == 2);  // the service's count, whatever shards were listed
  REQUIRE(state.shards.size() == 1);
  CHECK(state.shards[0].meta.range.end == 5);
}

TEST_CASE("a resharding opened the open shards that were not there before") {
  auto before = shard_metas({shard("shardId-000000000000", "", "", false, {0, kHalf - 1}),
                             shard("shardId-000000000001", "", "", false, {kHalf, store::kMaxHashKey})},
                            "e");
  auto after = shard_metas({shard("shardId-000000000000", "", "", true, {0, kHalf - 1}),
                            shard("shardId-000000000001", "", "", false, {kHalf, store::kMaxHashKey}),
                            shard("shardId-000000000002", "shardId-000000000000", "", true, {0, 9}),
                            shard("shardId-000000000003", "shardId-000000000000", "", false, {10, kHalf - 1}),
                            shard("shardId-000000000004", "shardId-000000000002", "", false, {0, 9})},
                           "e");
  // 2 was made and closed on the way (as AWS's UpdateShardCount may): not one of the new shards.
  CHECK(opened_shards(before, after) == std::vector<std::uint32_t>{3, 4});
  CHECK(opened_shards(after, after).empty());
}

TEST_CASE("Kinesis keeps records 24 hours to 365 days, in whole hours") {
  const std::int64_t hour = 3'600'000;
  CHECK(retention_hours(24 * hour, "aws") == 24);
  CHECK(retention_hours(365 * 24 * hour, "aws") == 8760);
  CHECK(error_status([&] { retention_hours(23 * hour, "aws"); }) == cli::Exit::unavailable);
  CHECK(error_status([&] { retention_hours(25 * hour + 60'000, "aws"); }) == cli::Exit::unavailable);
  try {
    retention_hours(hour, "http://127.0.0.1:4566");
  } catch (const cli::Error& e) {
    CHECK(e.where() == "http://127.0.0.1:4566");  // the backend is named
  }
}
