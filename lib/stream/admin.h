// Stream administration, the engine of ks-shard: create, list, describe, retention, trim, delete.
//
// Each operation is one or a few transactions; describe reads one snapshot. Rendering is
// separate (admin_render.h), so the operations serve any front end.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lines/time.h"
#include "store/env.h"
#include "store/groups.h"
#include "store/streams.h"

namespace millrace::stream {

struct ShardState {
  store::ShardMeta meta;
  std::optional<lines::EpochMs> first_arrival_ms, last_arrival_ms;
};

struct GroupShardState {
  std::uint32_t shard;
  store::Checkpoint checkpoint;  // counter 0: nothing delivered yet
  std::uint64_t behind;          // records after the checkpoint
  std::int64_t iterator_age_ms;  // age of the oldest record not yet delivered; 0 when caught up
};

struct GroupState {
  std::string name;
  std::vector<GroupShardState> shards;
};

struct StreamState {
  store::StreamMeta stream;
  std::vector<ShardState> shards;
  std::vector<GroupState> groups;
  // A Kinesis endpoint tells less than the store (stream/endpoint_admin.h): a status (the
  // store's streams are always ACTIVE), no records, bytes, sequence numbers, arrival times or
  // groups (`counted` false: the shards' counters and `groups` mean nothing), and the number of
  // open shards as the service counts them (in a list, without the shards).
  std::string status = "ACTIVE";
  bool counted = true;
  std::optional<std::uint32_t> open_shard_count;

  std::uint64_t records() const;
  std::uint64_t bytes() const;
  std::uint32_t open_shards() const;
};

// Throws cli::Error(cant_create) when the stream exists, cli::Error(usage) when shards or
// retention are out of range.
store::StreamMeta create_stream(store::Env& env, const std::string& name, std::uint32_t shards,
                                std::int64_t retention_ms);
// Creates the stream unless it exists; returns true when it created it.
bool ensure_stream(store::Env& env, const std::string& name, std::uint32_t shards);
std::vector<StreamState> list_streams(store::Env& env);   // shards and totals, no groups
StreamState describe_stream(store::Env& env, const std::string& name);
void set_retention(store::Env& env, const std::string& name, std::int64_t retention_ms);
// Deletes every record older than the retention; returns how many.
// Told after each bounded step of trim_stream and delete_stream the records removed so far and,
// when known (delete), how many there are to remove: ks-shard's progress line.
using RemovalProgress = std::function<void(std::uint64_t removed, std::optional<std::uint64_t> total)>;
std::uint64_t trim_stream(store::Env& env, const std::string& name, const RemovalProgress& progress = {});
void delete_stream(store::Env& env, const std::string& name, const RemovalProgress& progress = {});

// Resharding, as Kinesis (the rules and errors of stream/reshard.h): the parents close, the
// children open with the parents' lineage, and producers route to the children from their next
// commit. Each returns the new shards' indices.
//
// Splits `shard` in two; the second child starts at `at` (default: the middle of the range).
std::vector<std::uint32_t> split_shard(store::Env& env, const std::string& name, std::uint32_t shard,
                                       std::optional<store::HashKey> at);
// Merges two open shards with adjacent ranges into one; `shard` is the parent, `adjacent` the
// adjacent parent.
std::vector<std::uint32_t> merge_shards(store::Env& env, const std::string& name, std::uint32_t shard,
                                        std::uint32_t adjacent);
// Replaces the open shards by `count` shards splitting the hash-key space evenly
// (UpdateShardCount with UNIFORM_SCALING).
std::vector<std::uint32_t> scale_stream(store::Env& env, const std::string& name, std::uint32_t count);

// Checks a shard count and a retention against the limits; throws cli::Error(usage).
void check_shard_count(std::uint32_t shards);
void check_retention(std::int64_t retention_ms);

}  // namespace millrace::stream
