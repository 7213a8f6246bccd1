// EndpointGroup: a member of a consumer group reading a stream on an endpoint, holding the
// leases of the shards it reads in the group's lease table (lease_table.h), as a KCL worker does.
//
// Until the members of a group on an endpoint share shards (issue 19), one member holds every
// lease: a second member finds the first one's leases renewed and is refused (exit 75, try
// again later). Leases of a member that stopped renewing (killed) are taken over once their
// counters have stayed the same for the lease timeout, measured on this machine's clock as the
// KCL does (no clocks are compared); a member that stops cleanly frees its leases at once.
//
// Renewals raise each lease's counter every third of the lease timeout; checkpoints (after the
// records are delivered) raise it too. A lease found taken over is dropped: its shard is no
// longer read, and never checkpointed again by this member.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "aws/kinesis_client.h"
#include "aws/store_spec.h"
#include "stream/consumer.h"
#include "stream/lease_table.h"

namespace millrace::stream {

class EndpointGroup {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws cli::Error(usage) for a group whose name cannot name a DynamoDB table (under 3
  // characters).
  EndpointGroup(const aws::StoreSpec& store, const ConsumeOptions& options);
  // Frees the leases held, however the member ends.
  ~EndpointGroup();
  EndpointGroup(const EndpointGroup&) = delete;
  EndpointGroup& operator=(const EndpointGroup&) = delete;

  // Creates the group's lease table when it is missing, and takes the leases of `shards`
  // (creating those missing, their checkpoint `initial`), after waiting out the leases of a
  // member that stopped renewing them. Throws cli::Error(temp_fail) when another member renews a
  // lease meanwhile, cli::Error(usage) when the table holds the leases of another stream or has
  // another key.
  void start(std::span<const aws::ShardInfo* const> shards, std::string_view initial);
  // A shard listed after the start (a reshard's child): its lease, created with TRIM_HORIZON,
  // taken when free.
  void add(const aws::ShardInfo& shard);

  // The lease held of `shard`, null when none is (lost, finished, or not this member's).
  const Lease* held(std::string_view shard) const;
  // Whether `shard`'s lease was SHARD_END when read.
  bool finished(std::string_view shard) const { return finished_.contains(shard); }

  // When the leases are next renewed; renews them when that time has come.
  Clock::time_point next_renewal() const { return renewed_ + timeout_ / 3; }
  void renew_if_due();
  // Moves `shard`'s checkpoint to `checkpoint` (the last sequence number delivered, or
  // SHARD_END), conditional on still holding it.
  void checkpoint(std::string_view shard, std::string_view checkpoint);

 private:
  void lost(std::string_view shard);

  LeaseTable table_;
  std::string stream_;
  Clock::duration timeout_;
  std::map<std::string, Lease, std::less<>> held_;
  std::set<std::string, std::less<>> finished_;
  Clock::time_point renewed_{};
};

}  // namespace millrace::stream
