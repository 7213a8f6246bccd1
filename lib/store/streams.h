// Streams and shards: the catalog of the store (databases `meta`, `streams`, `shards`).
//
// A stream has an id (so its records and groups never mix with those of a deleted stream of
// the same name), a retention, and shards. A shard has a hash-key range, its lineage (parent and
// adjacent parent, set by resharding), a state, and the counters that make record counts and
// lag differences: records of a shard are counters [first_counter, next_counter).
//
// All functions take a transaction view; functions that write need a write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/error.h"
#include "lines/time.h"
#include "store/env.h"
#include "store/hash_key.h"

namespace millrace::store {

inline constexpr std::uint32_t kNoShard = UINT32_MAX;
inline constexpr std::int64_t kDefaultRetentionMs = 24 * 3'600'000;  // as Kinesis
inline constexpr std::int64_t kMinRetentionMs = 60'000;              // below Kinesis' 24 h: see ks-shard(1)
inline constexpr std::int64_t kMaxRetentionMs = 365 * 86'400'000LL;  // Kinesis' maximum, 8760 h

struct StreamMeta {
  std::string name;
  std::uint32_t id = 0;
  lines::EpochMs created_ms = 0;
  std::int64_t retention_ms = kDefaultRetentionMs;
  std::uint32_t next_shard = 0;          // shard indices are never reused
  lines::EpochMs last_arrival_ms = 0;    // arrival times never decrease within the stream
};

struct ShardMeta {
  std::uint32_t index = 0;
  HashRange range{};
  std::uint32_t parent = kNoShard;
  std::uint32_t adjacent_parent = kNoShard;
  bool open = true;
  lines::EpochMs created_ms = 0;
  lines::EpochMs closed_ms = 0;
  std::uint64_t first_counter = 1;  // first record still retained
  std::uint64_t next_counter = 1;   // the counter the next record gets
  std::uint64_t bytes = 0;          // data bytes retained

  std::uint64_t records() const { return next_counter - first_counter; }
};

std::optional<StreamMeta> find_stream(const Txn& txn, std::string_view name);
// The error for a stream that is not there (66), saying how to create one.
cli::Error no_such_stream(std::string_view name);
// The error for creating a stream that is there already (73).
cli::Error stream_exists(std::string_view name);
// Like find_stream, but a missing stream throws no_such_stream(name).
StreamMeta stream_or_throw(const Txn& txn, std::string_view name);
std::vector<StreamMeta> list_streams(const Txn& txn);
void save_stream(const Txn& txn, const StreamMeta& stream);

// Creates a stream of `shards` shards splitting the hash-key space evenly. Throws
// cli::Error(cant_create) when the stream exists.
StreamMeta create_stream(const Txn& txn, std::string_view name, std::uint32_t shards, std::int64_t retention_ms,
                         lines::EpochMs now);

// Every shard of the stream, by index. Indices have gaps where expired shards were removed.
std::vector<ShardMeta> load_shards(const Txn& txn, std::uint32_t stream_id);
// The shard of that index in `shards`, or nullptr.
const ShardMeta* find_shard(const std::vector<ShardMeta>& shards, std::uint32_t index);
void save_shard(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard);
// Removes a shard from the catalog: a closed shard whose records have all expired, as Kinesis
// removes closed shards after the retention period.
void delete_shard(const Txn& txn, std::uint32_t stream_id, std::uint32_t index);

// The open shards of a stream, by hash-key range: the shard that takes a record of a hash. The
// open shards of a stream cover the whole hash-key space without overlap (resharding keeps it
// so). Views into the vector it was made from, which must outlive it and not grow.
class OpenShards {
 public:
  explicit OpenShards(std::vector<ShardMeta>& shards);
  // The open shard whose range holds `hash`. REQUIRES: the stream has open shards.
  ShardMeta& shard_for(HashKey hash) const;

 private:
  std::vector<ShardMeta*> by_start_;
};

// The shards a reader must finish before it reads `child`, so that each partition key's records
// come out in the order they were put across splits, merges and scales: every closed shard of a
// lower index whose hash-key range overlaps the child's. (Children always get higher indices
// than the shards they replace; ranges, not the two lineage fields, decide, because a scale may
// give a shard more than two parents.)
std::vector<std::uint32_t> ancestors(const std::vector<ShardMeta>& shards, const ShardMeta& child);

// Deletes the stream's catalog entries, its groups and its tags; its records stay until
// delete_records_step has removed them. A stream made again under the name starts with none
// of them.
void delete_stream(const Txn& txn, const StreamMeta& stream);
// Deletes at most `limit` entries (blocks of records) of a stream id; true when none are left.
bool delete_records_step(const Txn& txn, std::uint32_t stream_id, std::uint64_t limit);

}  // namespace millrace::store
