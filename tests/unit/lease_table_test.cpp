#include "stream/lease_table.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "aws/dynamodb_client.h"
#include "cli/error.h"

using namespace millrace;

namespace {

// The leases of a Scan page, read as the lease table reads them: the items made plain by the
// DynamoDB client's reader, then each one read as a lease.
std::vector<stream::Lease> leases_of(std::string_view scan_answer) {
  simdjson::dom::parser parser;
  std::vector<std::string> items;
  aws::read_items_page(parser, scan_answer, items, "test");
  std::vector<stream::Lease> leases;
  for (const std::string& item : items) leases.push_back(stream::read_lease_item(parser, item, "test"));
  return leases;
}

}  // namespace

TEST_CASE("a lease as the KCL writes it, and as ks-consume does") {
  auto leases = leases_of(
      R"({"Items":[{"leaseKey":{"S":"shardId-000000000002"},"leaseOwner":{"S":"w1"},"leaseCounter":{"N":"7"},)"
      R"("checkpoint":{"S":"49590338271490256608559692540925702759324208523137515522"},)"
      R"("checkpointSubSequenceNumber":{"N":"0"},"ownerSwitchesSinceCheckpoint":{"N":"2"},)"
      R"("parentShardId":{"SS":["shardId-000000000000","shardId-000000000001"]}},)"
      R"({"leaseKey":{"S":"shardId-000000000000"},"leaseCounter":{"N":"3"},"checkpoint":{"S":"SHARD_END"},)"
      R"("streamName":{"S":"orders"}}]})");
  REQUIRE(leases.size() == 2);
  const stream::Lease& child = leases[0];
  CHECK(child.shard == "shardId-000000000002");
  CHECK(child.owner == "w1");
  CHECK(child.counter == 7);
  CHECK(child.has_sequence());
  CHECK_FALSE(child.finished());
  CHECK(child.owner_switches == 2);
  CHECK(child.parents == std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"});
  CHECK(child.stream.empty());
  const stream::Lease& parent = leases[1];
  CHECK(parent.owner.empty());
  CHECK(parent.finished());
  CHECK_FALSE(parent.has_sequence());
  CHECK(parent.parents.empty());
  CHECK(parent.stream == "orders");
}

TEST_CASE("a sentinel checkpoint is no sequence number") {
  for (std::string_view sentinel : {stream::kTrimHorizon, stream::kLatest, stream::kAtTimestamp}) {
    stream::Lease lease;
    lease.checkpoint = sentinel;
    CHECK_FALSE(lease.has_sequence());
    CHECK_FALSE(lease.finished());
  }
}

TEST_CASE("an item that is not a lease is refused, naming the table's endpoint") {
  simdjson::dom::parser parser;
  for (std::string_view item : {R"({"leaseCounter":1})", R"({"leaseKey":"s"})", R"({"leaseKey":"s","leaseCounter":1.5})",
                                R"({"leaseKey":"s","leaseCounter":1,"leaseOwner":3})",
                                R"({"leaseKey":"s","leaseCounter":1,"parentShardId":{"$NS":[1]}})",
                                R"({"leaseKey":"","leaseCounter":1})", R"([1])"}) {
    CAPTURE(item);
    CHECK_THROWS_AS(stream::read_lease_item(parser, item, "http://127.0.0.1:1"), cli::Error);
  }
}
