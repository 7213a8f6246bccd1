#include "stream/reshard.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/error.h"
#include "store/sequence.h"
#include "stream/admin.h"

namespace millrace::stream {

const store::ShardMeta& open_shard(const std::vector<store::ShardMeta>& shards, std::uint32_t index) {
  const store::ShardMeta* shard = store::find_shard(shards, index);
  if (shard == nullptr) throw cli::Error(cli::Exit::no_input, store::shard_id(index), "no such shard");
  if (!shard->open) throw cli::Error(cli::Exit::usage, store::shard_id(index), "shard is closed");
  return *shard;
}

ReshardPlan split_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t index,
                       std::optional<store::HashKey> at) {
  const store::ShardMeta& shard = open_shard(shards, index);
  store::HashRange r = shard.range;
  store::HashKey split = at ? *at : r.start + (r.end - r.start) / 2 + 1;
  if (split <= r.start || split > r.end)
    throw cli::Error(cli::Exit::usage, store::shard_id(index),
                     fmt::format("--at must be in {}..{}", store::format_hash_key(r.start + 1), store::format_hash_key(r.end)));
  return ReshardPlan{{index}, {{{r.start, split - 1}, index, store::kNoShard}, {{split, r.end}, index, store::kNoShard}}};
}

ReshardPlan merge_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t index, std::uint32_t adjacent) {
  const store::ShardMeta& a = open_shard(shards, index);
  const store::ShardMeta& b = open_shard(shards, adjacent);
  auto touches = [](const store::HashRange& left, const store::HashRange& right) {
    return left.end != store::kMaxHashKey && left.end + 1 == right.start;  // no wrap past 2^128-1
  };
  if (!touches(a.range, b.range) && !touches(b.range, a.range))
    throw cli::Error(cli::Exit::usage, store::shard_id(index),
                     fmt::format("not adjacent to {}: their hash-key ranges do not touch", store::shard_id(adjacent)));
  store::HashRange merged{std::min(a.range.start, b.range.start), std::max(a.range.end, b.range.end)};
  return ReshardPlan{{index, adjacent}, {{merged, index, adjacent}}};
}

ReshardPlan scale_plan(const std::vector<store::ShardMeta>& shards, std::uint32_t count) {
  check_shard_count(count);
  ReshardPlan plan;
  for (const store::ShardMeta& s : shards)
    if (s.open) plan.close.push_back(s.index);
  for (store::HashRange range : store::split_evenly({0, store::kMaxHashKey}, count)) {
    // The lineage fields hold the first two overlapping parents; readers order by ranges.
    ReshardChild child{range, store::kNoShard, store::kNoShard};
    for (std::uint32_t index : plan.close) {
      const store::HashRange& p = store::find_shard(shards, index)->range;
      if (p.start > range.end || range.start > p.end) continue;
      (child.parent == store::kNoShard ? child.parent : child.adjacent_parent) = index;
      if (child.adjacent_parent != store::kNoShard) break;
    }
    plan.children.push_back(child);
  }
  return plan;
}

void check_open_count(const std::vector<store::ShardMeta>& shards, const ReshardPlan& plan) {
  std::uint32_t open = 0;
  for (const store::ShardMeta& s : shards) open += s.open;
  check_shard_count(open - static_cast<std::uint32_t>(plan.close.size()) + static_cast<std::uint32_t>(plan.children.size()));
}

}  // namespace millrace::stream
