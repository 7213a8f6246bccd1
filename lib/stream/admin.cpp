#include "stream/admin.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/error.h"
#include "store/names.h"
#include "store/records.h"
#include "store/sequence.h"
#include "stream/reshard.h"

namespace millrace::stream {
namespace {

// Records deleted per transaction by trim and delete: bounded so that a huge stream does not
// make one huge transaction, large enough that the commits cost little.
constexpr std::uint64_t kDeleteStep = 50'000;

ShardState shard_state(const store::Txn& txn, std::uint32_t stream_id, const store::ShardMeta& meta) {
  ShardState state{meta, std::nullopt, std::nullopt};
  if (meta.records() == 0) return state;
  store::ShardCursor cursor(txn, stream_id, meta.index);
  if (cursor.seek(meta.first_counter)) state.first_arrival_ms = cursor.record().arrival_ms;
  if (cursor.seek(meta.next_counter - 1)) state.last_arrival_ms = cursor.record().arrival_ms;
  return state;
}

StreamState stream_state(const store::Txn& txn, const store::StreamMeta& stream) {
  StreamState state;
  state.stream = stream;
  for (const store::ShardMeta& shard : store::load_shards(txn, stream.id))
    state.shards.push_back(shard_state(txn, stream.id, shard));
  return state;
}

template <class Read>
auto read(store::Env& env, Read&& body) {
  store::ReadTxn reader(env);
  return body(reader.renew());
}

}  // namespace

std::uint64_t StreamState::records() const {
  std::uint64_t n = 0;
  for (const ShardState& s : shards) n += s.meta.records();
  return n;
}

std::uint64_t StreamState::bytes() const {
  std::uint64_t n = 0;
  for (const ShardState& s : shards) n += s.meta.bytes;
  return n;
}

std::uint32_t StreamState::open_shards() const {
  if (open_shard_count) return *open_shard_count;
  std::uint32_t n = 0;
  for (const ShardState& s : shards) n += s.meta.open;
  return n;
}

void check_shard_count(std::uint32_t shards) {
  if (shards < 1 || shards > store::kMaxShards)
    throw cli::Error(cli::Exit::usage, "", fmt::format("--shards {}: a stream has 1 to {} shards", shards, store::kMaxShards));
}

void check_retention(std::int64_t retention_ms) {
  if (retention_ms < store::kMinRetentionMs || retention_ms > store::kMaxRetentionMs)
    throw cli::Error(cli::Exit::usage, "",
                     fmt::format("retention {}: it is 1m to 365d", lines::format_duration(retention_ms)));
}

store::StreamMeta create_stream(store::Env& env, const std::string& name, std::uint32_t shards,
                                std::int64_t retention_ms) {
  check_shard_count(shards);
  check_retention(retention_ms);
  store::StreamMeta created;
  env.write([&](const store::Txn& txn) { created = store::create_stream(txn, name, shards, retention_ms, lines::now_ms()); });
  return created;
}

bool ensure_stream(store::Env& env, const std::string& name, std::uint32_t shards) {
  check_shard_count(shards);
  bool created = false;
  env.write([&](const store::Txn& txn) {
    created = !store::find_stream(txn, name);
    if (created) store::create_stream(txn, name, shards, store::kDefaultRetentionMs, lines::now_ms());
  });
  return created;
}

std::vector<StreamState> list_streams(store::Env& env) {
  return read(env, [](const store::Txn& txn) {
    std::vector<StreamState> states;
    for (const store::StreamMeta& stream : store::list_streams(txn)) states.push_back(stream_state(txn, stream));
    return states;
  });
}

StreamState describe_stream(store::Env& env, const std::string& name) {
  return read(env, [&](const store::Txn& txn) {
    StreamState state = stream_state(txn, store::stream_or_throw(txn, name));
    lines::EpochMs now = lines::now_ms();
    for (const std::string& group : store::list_groups(txn, state.stream.id)) {
      GroupState g{group, {}};
      auto checkpoints = store::load_checkpoints(txn, state.stream.id, group);
      for (const ShardState& shard : state.shards) {
        GroupShardState s{shard.meta.index, {}, 0, 0};
        if (auto it = checkpoints.find(shard.meta.index); it != checkpoints.end()) s.checkpoint = it->second;
        std::uint64_t next = std::max(s.checkpoint.counter + 1, shard.meta.first_counter);
        s.behind = shard.meta.next_counter > next ? shard.meta.next_counter - next : 0;
        if (s.behind > 0) {
          store::ShardCursor cursor(txn, state.stream.id, shard.meta.index);
          if (cursor.seek(next)) s.iterator_age_ms = std::max<std::int64_t>(0, now - cursor.record().arrival_ms);
        }
        g.shards.push_back(std::move(s));
      }
      state.groups.push_back(std::move(g));
    }
    return state;
  });
}

void set_retention(store::Env& env, const std::string& name, std::int64_t retention_ms) {
  check_retention(retention_ms);
  env.write([&](const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, name);
    stream.retention_ms = retention_ms;
    store::save_stream(txn, stream);
  });
}

std::uint64_t trim_stream(store::Env& env, const std::string& name, const RemovalProgress& progress) {
  std::uint64_t total = 0;
  for (bool more = true; more;) {
    std::uint64_t removed = 0;
    env.write([&](const store::Txn& txn) {
      removed = 0;
      store::StreamMeta stream = store::stream_or_throw(txn, name);
      lines::EpochMs cutoff = lines::now_ms() - stream.retention_ms;
      for (store::ShardMeta& shard : store::load_shards(txn, stream.id)) {
        removed += store::trim_shard(txn, stream.id, shard, cutoff, kDeleteStep - removed);
        if (removed == kDeleteStep) break;
      }
    });
    total += removed;
    more = removed == kDeleteStep;
    if (progress) progress(total, std::nullopt);
  }
  return total;
}

namespace {

// Runs a resharding in one transaction: `make_plan` gets the stream's shards and returns the
// plan (stream/reshard.h) applied here.
template <class MakePlan>
std::vector<std::uint32_t> reshard(store::Env& env, const std::string& name, MakePlan&& make_plan) {
  std::vector<std::uint32_t> created;
  env.write([&](const store::Txn& txn) {
    created.clear();
    store::StreamMeta stream = store::stream_or_throw(txn, name);
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream.id);
    ReshardPlan plan = make_plan(shards);
    check_open_count(shards, plan);
    lines::EpochMs now = lines::now_ms();
    for (std::uint32_t index : plan.close) {
      store::ShardMeta shard = *store::find_shard(shards, index);
      shard.open = false;
      shard.closed_ms = now;
      store::save_shard(txn, stream.id, shard);
    }
    for (const ReshardChild& child : plan.children) {
      store::ShardMeta shard;
      shard.index = stream.next_shard++;
      shard.range = child.range;
      shard.parent = child.parent;
      shard.adjacent_parent = child.adjacent_parent;
      shard.created_ms = now;
      store::save_shard(txn, stream.id, shard);
      created.push_back(shard.index);
    }
    store::save_stream(txn, stream);
  });
  return created;
}

}  // namespace

std::vector<std::uint32_t> split_shard(store::Env& env, const std::string& name, std::uint32_t index,
                                       std::optional<store::HashKey> at) {
  return reshard(env, name, [&](const std::vector<store::ShardMeta>& shards) { return split_plan(shards, index, at); });
}

std::vector<std::uint32_t> merge_shards(store::Env& env, const std::string& name, std::uint32_t index,
                                        std::uint32_t adjacent) {
  return reshard(env, name,
                 [&](const std::vector<store::ShardMeta>& shards) { return merge_plan(shards, index, adjacent); });
}

std::vector<std::uint32_t> scale_stream(store::Env& env, const std::string& name, std::uint32_t count) {
  check_shard_count(count);  // before the transaction: a count out of range needs no store
  return reshard(env, name, [&](const std::vector<store::ShardMeta>& shards) { return scale_plan(shards, count); });
}

void delete_stream(store::Env& env, const std::string& name, const RemovalProgress& progress) {
  std::uint32_t id = 0;
  std::uint64_t records = 0;
  env.write([&](const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, name);
    id = stream.id;
    records = 0;
    for (const store::ShardMeta& shard : store::load_shards(txn, stream.id)) records += shard.records();
    store::delete_stream(txn, stream);
  });
  // The name is free now; its records go in bounded steps (a crash leaves them unreachable,
  // under an id that is never reused). Each step but the last removes kDeleteStep of them.
  std::uint64_t steps = 0;
  for (bool done = false; !done;) {
    env.write([&](const store::Txn& txn) { done = store::delete_records_step(txn, id, kDeleteStep); });
    ++steps;
    if (progress) progress(done ? records : std::min(records, steps * kDeleteStep), records);
  }
}

}  // namespace millrace::stream
