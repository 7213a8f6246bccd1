// LeaseTable: a consumer group's leases and checkpoints on an endpoint, in a DynamoDB table of
// the Kinesis Client Library's schema, named after the group as the KCL names its lease table
// after the application (ks-consume(1), "On an endpoint").
//
// One item a shard (the KCL's DynamoDBLeaseSerializer):
//   leaseKey                      S   the shard id (the table's hash key)
//   leaseOwner                    S   the member holding it; absent when free
//   leaseCounter                  N   raised by every write of the owner: a lease whose counter
//                                     stays the same for the lease timeout is expired
//   checkpoint                    S   the sequence number of the last record delivered, or
//                                     TRIM_HORIZON, LATEST, AT_TIMESTAMP (none yet: where a
//                                     reader starts) or SHARD_END (the shard is finished)
//   checkpointSubSequenceNumber   N   0 (records are not aggregated)
//   ownerSwitchesSinceCheckpoint  N   owners that took the lease since the last checkpoint
//   parentShardId                 SS  the shard's parents (absent when none)
//   streamName                    S   the stream (ours; the KCL has no such attribute and
//                                     ignores it), so one group never mixes two streams' shards
//
// Every write of a held lease is conditional on the owner and the counter the member holds, so
// a member whose lease was taken over never checkpoints it again.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb_client.h"
#include "aws/store_spec.h"

namespace millrace::stream {

// The checkpoints that are not sequence numbers, as the KCL writes them.
inline constexpr std::string_view kTrimHorizon = "TRIM_HORIZON";
inline constexpr std::string_view kLatest = "LATEST";
inline constexpr std::string_view kAtTimestamp = "AT_TIMESTAMP";
inline constexpr std::string_view kShardEnd = "SHARD_END";

struct Lease {
  std::string shard;         // leaseKey
  std::string owner;         // "" when free
  std::int64_t counter = 0;
  std::string checkpoint;
  std::int64_t owner_switches = 0;
  std::vector<std::string> parents;
  std::string stream;        // "" when written by another program (the KCL)

  bool finished() const { return checkpoint == kShardEnd; }
  // Whether the checkpoint is a sequence number (a reader resumes after it).
  bool has_sequence() const { return !checkpoint.empty() && checkpoint.front() >= '0' && checkpoint.front() <= '9'; }
};

// The lease of an item of the table, as aws::read_items_page gives it (plain JSON). Throws
// cli::Error(unavailable, where) for an item that is not a lease (no leaseKey, a leaseCounter
// that is not an integer, attributes of other types). Apart so that it can be fuzzed
// (tests/fuzz/dynamodb_answer.cpp).
Lease read_lease_item(simdjson::dom::parser& parser, std::string_view plain, std::string_view where);

class LeaseTable {
 public:
  // `owner`: this member's name, written as leaseOwner.
  LeaseTable(const aws::StoreSpec& store, std::string group, std::string owner);

  const std::string& name() const { return group_; }
  const std::string& owner() const { return owner_; }

  // CreateTable (leaseKey S as hash key, PAY_PER_REQUEST) when it is missing, waiting until it
  // is ACTIVE. Throws cli::Error(usage) when a table of that name has another key.
  void open();
  // Every lease, by a consistent Scan.
  std::vector<Lease> scan();
  // PutItem of a free lease, if none exists for the shard; false when one does.
  bool create(std::string_view stream, std::string_view shard, std::span<const std::string> parents,
              std::string_view checkpoint);
  // Takes `lease` (free, or expired) if its counter is still the one read; false when another
  // member wrote it meanwhile. `lease` becomes the one held.
  bool take(Lease& lease);
  // Raises the counter of a lease held; false when it was taken over.
  bool renew(Lease& lease);
  // Writes `checkpoint` into a lease held (and raises its counter); false when it was taken over.
  bool checkpoint(Lease& lease, std::string_view checkpoint);
  // Frees a lease held (removes leaseOwner), so that the next member takes it at once.
  void release(Lease& lease);

 private:
  // UpdateItem of `lease` with `update` (its names and values in `attributes`), raising the
  // counter, conditional on the counter read and, when `held`, on the owner.
  bool update(Lease& lease, std::string update, aws::ExpressionAttributes& attributes, bool held);

  aws::DynamoDBClient client_;
  std::string group_, owner_;
  simdjson::dom::parser parser_;
};

}  // namespace millrace::stream
