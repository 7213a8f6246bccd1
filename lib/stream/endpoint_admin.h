// EndpointAdmin: StreamsAdmin on an endpoint that speaks Kinesis (gw-serve, an emulator, AWS),
// through the Kinesis API (aws/kinesis_client.h): CreateStream, ListStreams,
// DescribeStreamSummary and ListShards, Increase/DecreaseStreamRetentionPeriod, SplitShard,
// MergeShards, UpdateShardCount, DeleteStream, each change waited for until the stream is ACTIVE
// again.
//
// What the service does not tell (records, bytes, sequence numbers, arrival times; groups, whose
// checkpoints are in a DynamoDB lease table on an endpoint) is left out of its states (`counted`
// false). Trimming is the service's own: trim is cli::Error(unavailable) naming the endpoint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/kinesis_client.h"
#include "stream/streams_admin.h"

namespace millrace::stream {

class EndpointAdmin final : public StreamsAdmin {
 public:
  explicit EndpointAdmin(const aws::StoreSpec& store);

  bool counts() const override { return false; }
  void create(const std::string& name, std::uint32_t shards, std::int64_t retention_ms) override;
  std::vector<StreamState> list() override;
  StreamState describe(const std::string& name) override;
  void set_retention(const std::string& name, std::int64_t retention_ms) override;
  std::vector<std::uint32_t> split(const std::string& name, std::uint32_t shard, std::optional<store::HashKey> at) override;
  std::vector<std::uint32_t> merge(const std::string& name, std::uint32_t shard, std::uint32_t adjacent) override;
  std::vector<std::uint32_t> scale(const std::string& name, std::uint32_t count) override;
  std::uint64_t trim(const std::string& name, const RemovalProgress& progress) override;
  void remove(const std::string& name, const RemovalProgress& progress) override;

 private:
  std::vector<store::ShardMeta> shards(const std::string& name);

  std::string where_;  // the endpoint as --store names it
  aws::KinesisClient kinesis_;
};

// The shards an endpoint listed, as the store's (no counters). Throws cli::Error(unavailable,
// where) for a shard id that is not Kinesis' shardId- and 12 digits.
std::vector<store::ShardMeta> shard_metas(const std::vector<aws::ShardInfo>& shards, std::string_view where);
// A stream as an endpoint describes it: its summary and its shards, nothing counted.
StreamState endpoint_state(const aws::StreamSummary& summary, const std::vector<store::ShardMeta>& shards);
// The open shards of `after` that are not in `before`: what a resharding opened, by index.
std::vector<std::uint32_t> opened_shards(const std::vector<store::ShardMeta>& before, const std::vector<store::ShardMeta>& after);
// Kinesis' RetentionPeriodHours for a retention of 1m to 365d (check_retention); throws
// cli::Error(unavailable, where) for one Kinesis cannot keep: under 24 hours, or not whole hours.
std::int64_t retention_hours(std::int64_t retention_ms, std::string_view where);

}  // namespace millrace::stream
