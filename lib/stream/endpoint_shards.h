// EndpointShards: the shards of a stream on an endpoint as ks-consume reads them, whatever it
// does with the records (lines to stdout, batches to a handler): ListShards, then
// GetShardIterator and GetRecords per shard at the service's pace, parents before children, the
// --from positions, and with a group the leases and checkpoints (endpoint_group.h).
//
// Each shard is polled at most kGetRecordsPerSecond times in any second (the service's limit):
// at once while it is behind, evenly once caught up. A shard is readable once every parent it
// has in ListShards' lineage (ParentShardId, AdjacentParentShardId) is finished; the shard list
// is read again whenever a shard is read to its end, so children made by a reshard while
// following are found (--shard reads only the shards it names, as locally). --from applies to
// the shards listed at the start, as locally; at:SEQ and after:SEQ read the one shard that holds
// SEQ (the one --shard names, else the one whose GetShardIterator takes it). With a group, only
// the shards whose leases the member holds are read, each from after its checkpoint (--from
// applies to those without one), and a shard whose lease is SHARD_END is finished.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "aws/kinesis_client.h"
#include "stream/consumer.h"

namespace millrace::stream {

class EndpointGroup;

// GetRecords' largest Limit.
inline constexpr std::uint32_t kGetRecordsLimit = 10'000;

// Whether a record's data is one JSON text, as ks-put put it: envelopes and events carry such
// data as JSON, other data as a string, as locally (RemoteRecord::json).
inline bool is_json(simdjson::dom::parser& parser, const std::string& data) {
  simdjson::dom::element ignored;
  return parser.parse(data).get(ignored) == simdjson::SUCCESS;
}

struct EndpointShard {
  using Clock = std::chrono::steady_clock;
  aws::ShardInfo info;
  bool listed_at_start = false;
  std::string iterator;       // empty: not started
  std::string last_sequence;  // of the last record read
  std::string checkpointed;   // with a group: the lease's checkpoint as last written
  bool drained = false;       // closed and read to its end
  bool finished = false;      // drained, and its records delivered: its children may be read
  bool caught_up = false;     // the last GetRecords found nothing new
  Clock::time_point next_poll{};
  // The times of the shard's last kGetRecordsPerSecond calls, the oldest at `oldest_call`.
  std::array<Clock::time_point, kGetRecordsPerSecond> calls{};
  std::size_t oldest_call = 0;
};

class EndpointShards {
 public:
  using Clock = EndpointShard::Clock;
  // `group`: null without one.
  EndpointShards(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options);

  // Lists the shards, finds the shard of --from at:/after:SEQ, and takes the group's leases.
  // Throws cli::Error(no_input) for a missing stream or shard.
  void start();
  // Lists the shards again, after one was read to its end, for the children a reshard made.
  void refresh();
  // In ListShards' order; a deque, so that references stay valid when refresh() adds shards.
  std::deque<EndpointShard>& shards() { return shards_; }

  // Whether `shard` is read at all: asked for, and with a group, leased to this member.
  bool wanted(const EndpointShard& shard) const;
  // Whether `shard` may be asked for records now: wanted, not drained, its parents finished,
  // and its pace allowing.
  bool pollable(const EndpointShard& shard, Clock::time_point now) const;
  // GetRecords of up to `limit` records of `shard` after those read (a new iterator when the
  // last expired); marks it drained when it is closed and read to its end.
  const aws::FetchedRecords& poll(EndpointShard& shard, std::uint32_t limit);
  // Whether every shard that can be read is caught up (or drained).
  bool caught_up() const;
  // When the next shard may be polled, or the group's leases are renewed; at most a poll
  // interval away.
  Clock::time_point next_due() const;

  // With a group (nothing without): renews the leases when due, and moves `shard`'s checkpoint
  // to `sequence`, the last record delivered, or to SHARD_END when it is finished.
  void renew_if_due();
  void checkpoint(EndpointShard& shard, std::string_view sequence);

 private:
  void join_group();
  std::string_view initial_checkpoint() const;
  bool readable(const EndpointShard& shard) const;
  aws::IteratorStart start_of(const EndpointShard& shard) const;

  aws::KinesisClient& kinesis_;
  EndpointGroup* group_;
  bool joined_ = false;  // the group's leases are taken
  const ConsumeOptions& options_;
  std::deque<EndpointShard> shards_;
  std::vector<std::string> wanted_;  // empty: every shard
  aws::FetchedRecords fetched_;
};

}  // namespace millrace::stream
