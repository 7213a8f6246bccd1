// Resharding's rules, as Kinesis': which shards a split, a merge or a scale closes, and the
// hash-key ranges and lineage of the children it opens. Written once for both backends: the
// store applies a plan in one transaction (stream/admin.h); on an endpoint the plan checks the
// request as the store would before the service gets it, and gives SplitShard its
// NewStartingHashKey (stream/endpoint_admin.h).
//
// Each throws cli::Error(no_input) for a missing shard, cli::Error(usage) for a closed shard, a
// hash key outside the shard, shards that are not adjacent, or a count out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "store/hash_key.h"
#include "store/streams.h"

namespace millrace::stream {

struct ReshardChild {
  store::HashRange range;
  std::uint32_t parent, adjacent_parent;  // store::kNoShard when none
};

struct ReshardPlan {
  std::vector<std::uint32_t> close;   // the parents, by index
  std::vector<ReshardChild> children;
};

// The open shard `index` of `shards`; throws when there is none or it is closed.
const store::ShardMeta& open_shard(const std::vector<store::ShardMeta>& shards, std::uint32_t index);

// Splits `index` in two; the second child starts at `at`, by default the middle of the range.
ReshardPlan split_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t index,
                       std::optional<store::HashKey> at);
// Merges two open shards whose ranges touch; `index` is the parent, `adjacent` the adjacent parent.
ReshardPlan merge_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t index, std::uint32_t adjacent);
// Replaces the open shards by `count` shards splitting the hash-key space evenly
// (UpdateShardCount with UNIFORM_SCALING).
ReshardPlan scale_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t count);

// Throws cli::Error(usage) when the stream would have more open shards than a stream may after
// the plan.
void check_open_count(const std::vector<store::ShardMeta>& shards, const ReshardPlan& plan);

}  // namespace millrace::stream
