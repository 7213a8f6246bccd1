#include "stream/endpoint_admin.h"

#include <fmt/format.h>

#include "cli/error.h"
#include "store/sequence.h"
#include "store/streams.h"
#include "stream/reshard.h"

namespace millrace::stream {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;

std::uint32_t shard_index(const std::string& id, std::string_view where) {
  auto index = store::parse_shard_id(id);
  if (!index)
    throw cli::Error(cli::Exit::unavailable, std::string(where), fmt::format("ListShards: not a Kinesis shard id: {}", id));
  return *index;
}

}  // namespace

std::vector<store::ShardMeta> shard_metas(const std::vector<aws::ShardInfo>& shards, std::string_view where) {
  std::vector<store::ShardMeta> metas;
  for (const aws::ShardInfo& shard : shards) {
    store::ShardMeta& meta = metas.emplace_back();
    meta.index = shard_index(shard.id, where);
    meta.range = shard.hash_range;
    if (!shard.parent.empty()) meta.parent = shard_index(shard.parent, where);
    if (!shard.adjacent_parent.empty()) meta.adjacent_parent = shard_index(shard.adjacent_parent, where);
    meta.open = !shard.closed;
  }
  return metas;
}

StreamState endpoint_state(const aws::StreamSummary& summary, const std::vector<store::ShardMeta>& shards) {
  StreamState state;
  state.stream.name = summary.name;
  state.stream.created_ms = summary.created_ms;
  state.stream.retention_ms = summary.retention_hours * kHourMs;
  state.status = summary.status;
  state.counted = false;
  state.open_shard_count = summary.open_shards;
  for (const store::ShardMeta& shard : shards) state.shards.push_back({shard, std::nullopt, std::nullopt});
  return state;
}

std::vector<std::uint32_t> opened_shards(const std::vector<store::ShardMeta>& before, const std::vector<store::ShardMeta>& after) {
  std::vector<std::uint32_t> opened;
  for (const store::ShardMeta& shard : after)
    if (shard.open && store::find_shard(before, shard.index) == nullptr) opened.push_back(shard.index);
  return opened;
}

std::int64_t retention_hours(std::int64_t retention_ms, std::string_view where) {
  if (retention_ms < 24 * kHourMs || retention_ms % kHourMs != 0)
    throw cli::Error(cli::Exit::unavailable, std::string(where),
                     fmt::format("retention {}: Kinesis keeps records 24h to 365d, in whole hours",
                                 lines::format_duration(retention_ms)));
  return retention_ms / kHourMs;
}

EndpointAdmin::EndpointAdmin(const aws::StoreSpec& store) : where_(store.text), kinesis_(store) {}

std::vector<store::ShardMeta> EndpointAdmin::shards(const std::string& name) {
  return shard_metas(kinesis_.list_shards(name), where_);
}

void EndpointAdmin::create(const std::string& name, std::uint32_t shards, std::int64_t retention_ms) {
  check_shard_count(shards);
  check_retention(retention_ms);
  std::int64_t hours = retention_hours(retention_ms, where_);  // before the stream is made
  if (!kinesis_.create_stream(name, shards)) throw store::stream_exists(name);
  kinesis_.set_retention(name, hours);
}

std::vector<StreamState> EndpointAdmin::list() {
  std::vector<StreamState> states;
  for (const std::string& name : kinesis_.list_streams()) {
    try {
      states.push_back(endpoint_state(kinesis_.describe_stream_summary(name), {}));
    } catch (const cli::Error& e) {
      if (e.status() != cli::Exit::no_input) throw;  // deleted since it was listed
    }
  }
  return states;
}

StreamState EndpointAdmin::describe(const std::string& name) {
  aws::StreamSummary summary = kinesis_.describe_stream_summary(name);
  return endpoint_state(summary, shards(name));
}

void EndpointAdmin::set_retention(const std::string& name, std::int64_t retention_ms) {
  check_retention(retention_ms);
  kinesis_.set_retention(name, retention_hours(retention_ms, where_));
}

std::vector<std::uint32_t> EndpointAdmin::split(const std::string& name, std::uint32_t shard, std::optional<store::HashKey> at) {
  std::vector<store::ShardMeta> before = shards(name);
  ReshardPlan plan = split_plan(before, shard, at);
  check_open_count(before, plan);
  kinesis_.split_shard(name, store::shard_id(shard), store::format_hash_key(plan.children[1].range.start));
  return opened_shards(before, shards(name));
}

std::vector<std::uint32_t> EndpointAdmin::merge(const std::string& name, std::uint32_t shard, std::uint32_t adjacent) {
  std::vector<store::ShardMeta> before = shards(name);
  check_open_count(before, merge_plan(before, shard, adjacent));
  kinesis_.merge_shards(name, store::shard_id(shard), store::shard_id(adjacent));
  return opened_shards(before, shards(name));
}

std::vector<std::uint32_t> EndpointAdmin::scale(const std::string& name, std::uint32_t count) {
  check_shard_count(count);
  std::vector<store::ShardMeta> before = shards(name);
  kinesis_.update_shard_count(name, count);
  return opened_shards(before, shards(name));
}

std::uint64_t EndpointAdmin::trim(const std::string&, const RemovalProgress&) {
  throw cli::Error(cli::Exit::unavailable, where_,
                   "trim works on a store directory only: Kinesis deletes the records past the retention itself");
}

void EndpointAdmin::remove(const std::string& name, const RemovalProgress&) { kinesis_.delete_stream(name); }

}  // namespace millrace::stream
