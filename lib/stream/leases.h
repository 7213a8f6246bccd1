// Leases: how the members of a consumer group share a stream's shards, as the Kinesis Client
// Library does.
//
// A lease (group, shard) names its owner and an expiry, in the store beside the group's
// checkpoint. Each member renews its leases every third of the lease timeout, takes free or
// expired ones up to its fair share (the shards the group can read now, divided by the live
// members, rounded up), and when none is free takes one from a member holding more than the fair
// share. A member that dies stops renewing; its leases expire and the others take its shards
// over from the last checkpoint. A member that stops cleanly frees its leases at once.
//
// A record is delivered twice only when a lease moves while its records are delivered but not
// yet checkpointed: the old owner never writes a checkpoint for a shard it no longer holds.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lines/time.h"
#include "store/env.h"

namespace millrace::stream {

inline constexpr std::int64_t kDefaultLeaseTimeoutMs = 10'000;  // as the KCL's failover time

// A member's name as the owner of its leases: host:pid:random, so that a reused pid or a second
// host sharing the store is never taken for an earlier member.
std::string make_lease_owner();

class Leases {
 public:
  Leases(store::Env& env, std::uint32_t stream_id, std::string group, std::int64_t timeout_ms);
  // Frees the leases still held, however the member ends (a closed stdout, an error): only a
  // killed member makes the others wait for the timeout.
  ~Leases();
  Leases(const Leases&) = delete;
  Leases& operator=(const Leases&) = delete;

  const std::string& owner() const { return owner_; }
  // Whether it is time to renew: a third of the timeout has passed since the last renewal, or
  // the shards the group may read have changed (a parent finished, a shard was added).
  bool due(lines::EpochMs now, const std::vector<std::uint32_t>& eligible) const {
    return now >= renewed_ms_ + timeout_ms_ / 3 || eligible != eligible_;
  }
  lines::EpochMs next_due() const { return renewed_ms_ + timeout_ms_ / 3; }

  // Renews, takes and balances leases over `eligible` (the shards the group may read now), in
  // one write transaction; leases on shards no longer eligible are freed. Returns the shards held.
  const std::set<std::uint32_t>& renew(const std::vector<std::uint32_t>& eligible);
  const std::set<std::uint32_t>& held() const { return held_; }

  // Frees every lease held, so the other members take the shards over without waiting.
  void release();

 private:
  store::Env& env_;
  std::uint32_t stream_id_;
  std::string group_;
  std::int64_t timeout_ms_;
  std::string owner_;
  std::set<std::uint32_t> held_;
  std::vector<std::uint32_t> eligible_;  // as of the last renewal
  lines::EpochMs renewed_ms_ = 0;
};

}  // namespace millrace::stream
