// StreamReader: where a reader, or a member of a consumer group, stands in each shard of a
// stream, and which shards it may read now.
//
// A position is where the reader stopped, else its group's checkpoint, else the start position
// (--from) for shards that existed at the start, else (shards made later by resharding) the
// shard's beginning. A shard may be read once every shard it descends from is finished, so each
// partition key's records come out in the order they were put; in a group, only while this
// member holds its lease (leases.h). Delivered positions are checkpointed by checkpoint(),
// which also writes the metrics recorded meanwhile (recorder()).
//
// One per reader; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metrics/recorder.h"
#include "store/env.h"
#include "store/groups.h"
#include "store/records.h"
#include "store/streams.h"
#include "stream/consumer.h"
#include "stream/leases.h"

namespace millrace::stream {

class StreamReader {
 public:
  StreamReader(store::Env& env, const ConsumeOptions& options) : env_(env), options_(options) {}

  // Resolves the start position of each shard that exists now; returns the stream id. Throws
  // cli::Error(no_input) for a missing stream or shard.
  std::uint32_t start(const store::Txn& txn);
  // Begins a poll: renews `reader` and reads the catalog and the group's checkpoints and leases
  // in that snapshot; in a group, renews the leases first when they are due. Returns the
  // snapshot, to be reset by the caller before it writes or waits.
  store::Txn begin_poll(store::ReadTxn& reader);
  // In a group: how long until the leases are next due, for a follower's wait.
  std::optional<std::int64_t> leases_due_in(lines::EpochMs now) const;
  const std::vector<store::ShardMeta>& shards() const { return shards_; }

  // The shards this reader (or its group) may read now: unfinished, their ancestors finished.
  std::vector<std::uint32_t> readable() const;
  // Whether this reader may read `shard` now: readable, and in a group, leased to this member
  // in this snapshot (a lease taken by another member stops this one at its next refresh).
  bool may_read(const store::ShardMeta& shard);

  std::uint64_t position(const store::ShardMeta& shard) const;
  // Records up to `next` (exclusive) of `shard` were delivered.
  void delivered(std::uint32_t shard, std::uint64_t next);
  // Checkpoints what was delivered since the last call, for the shards this member holds
  // (unless the checkpoints are left downstream), with the metrics recorded since.
  void checkpoint();
  // The recorder of the metrics that checkpoint() writes: in a group that checkpoints its
  // polls, once started; nullptr otherwise, as such a reader commits nothing.
  metrics::Recorder* recorder() { return recorder_ ? &*recorder_ : nullptr; }

 private:
  void refresh(const store::Txn& txn);
  // Follows the leases: a shard newly held is read from the group's checkpoint; a shard lost is
  // dropped, with what was delivered of it but not checkpointed.
  void hold(const std::set<std::uint32_t>& held);
  bool finished(const store::ShardMeta& shard) const;
  bool is_readable(const store::ShardMeta& shard) const;

  store::Env& env_;
  const ConsumeOptions& options_;
  std::uint32_t stream_id_ = 0;
  std::vector<std::uint32_t> wanted_;                 // --shard (or the shard of --from at:/after:)
  std::map<std::uint32_t, std::uint64_t> start_;      // shard → start position, for shards at the start
  std::map<std::uint32_t, std::uint64_t> next_;       // shard → next counter this reader reads
  std::map<std::uint32_t, std::uint64_t> delivered_;  // shard → next counter, not yet checkpointed
  std::vector<store::ShardMeta> shards_;              // the catalog, as of the last refresh
  std::map<std::uint32_t, store::Checkpoint> checkpoints_;
  std::optional<Leases> leases_;  // with a group
  std::optional<metrics::Recorder> recorder_;
  std::set<std::uint32_t> held_;
};

}  // namespace millrace::stream
