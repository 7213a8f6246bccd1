// The Kinesis API's control plane: streams, shards, retention and tags (serve/kinesis_state.h).
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "lines/json.h"
#include "serve/kinesis_state.h"
#include "store/keys.h"
#include "store/tags.h"

namespace millrace::serve {

using namespace kinesis;

std::string KinesisApi::State::create_stream(element body) {
  std::string name = stream_name(body);
  // On-demand streams start with 4 shards, as Kinesis'.
  auto shards = integer_member(body, "ShardCount").value_or(4);
  store_call(name, [&] { return stream::create_stream(env, name, static_cast<std::uint32_t>(shards), store::kDefaultRetentionMs); });
  if (element tags; !body["Tags"].get(tags)) add_tags(body);
  return "{}";
}

std::string KinesisApi::State::delete_stream(element body) {
  std::string name = stream_name(body);
  store_call(name, [&] {
    stream::delete_stream(env, name);
    return 0;
  });
  return "{}";
}

std::string KinesisApi::State::list_streams(element body) {
  auto limit = integer_member(body, "Limit").value_or(kDefaultListLimit);
  auto after = string_member(body, "ExclusiveStartStreamName");
  if (auto token = string_member(body, "NextToken")) after = token;
  std::vector<stream::StreamState> states = stream::list_streams(env);
  std::string names, summaries, last;
  std::int64_t count = 0;
  bool more = false;
  for (const stream::StreamState& state : states) {
    const std::string& name = state.stream.name;
    if (after && name <= *after) continue;
    if (count == limit) {
      more = true;
      break;
    }
    if (count++ > 0) names += ',', summaries += ',';
    names += lines::json_string(name);
    fmt::format_to(std::back_inserter(summaries),
                   "{{\"StreamName\":{},\"StreamARN\":{},\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":"
                   "{{\"StreamMode\":\"PROVISIONED\"}},\"StreamCreationTimestamp\":{}}}",
                   lines::json_string(name), lines::json_string(arn(name)), epoch_seconds(state.stream.created_ms));
    last = name;
  }
  std::string out = fmt::format("{{\"StreamNames\":[{}],\"HasMoreStreams\":{},\"StreamSummaries\":[{}]", names, more, summaries);
  if (more) out += ",\"NextToken\":" + lines::json_string(last);
  return out + "}";
}

void KinesisApi::State::append_summary_fields(std::string& out, const stream::StreamState& state) const {
  fmt::format_to(std::back_inserter(out),
                 "\"StreamName\":{},\"StreamARN\":{},\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":"
                 "{{\"StreamMode\":\"PROVISIONED\"}},\"RetentionPeriodHours\":{},\"StreamCreationTimestamp\":{},"
                 "\"EnhancedMonitoring\":[{{\"ShardLevelMetrics\":[]}}],\"EncryptionType\":\"NONE\"",
                 lines::json_string(state.stream.name), lines::json_string(arn(state.stream.name)),
                 state.stream.retention_ms / 3'600'000, epoch_seconds(state.stream.created_ms));
}

void KinesisApi::State::append_shard(std::string& out, const store::ShardMeta& shard) {
  fmt::format_to(std::back_inserter(out), "{{\"ShardId\":\"{}\"", store::shard_id(shard.index));
  if (shard.parent != store::kNoShard) fmt::format_to(std::back_inserter(out), ",\"ParentShardId\":\"{}\"", store::shard_id(shard.parent));
  if (shard.adjacent_parent != store::kNoShard)
    fmt::format_to(std::back_inserter(out), ",\"AdjacentParentShardId\":\"{}\"", store::shard_id(shard.adjacent_parent));
  fmt::format_to(std::back_inserter(out),
                 ",\"HashKeyRange\":{{\"StartingHashKey\":\"{}\",\"EndingHashKey\":\"{}\"}},"
                 "\"SequenceNumberRange\":{{\"StartingSequenceNumber\":\"{}\"",
                 store::format_hash_key(shard.range.start), store::format_hash_key(shard.range.end),
                 store::format_sequence({shard.index, shard.first_counter}));
  // A closed shard's range ends at its last record (Kinesis: the last it could have had).
  if (!shard.open)
    fmt::format_to(std::back_inserter(out), ",\"EndingSequenceNumber\":\"{}\"",
                   store::format_sequence({shard.index, std::max<std::uint64_t>(shard.next_counter - 1, shard.first_counter)}));
  out += "}}";
}

std::string KinesisApi::State::describe_stream_summary(element body) {
  std::string name = stream_name(body);
  stream::StreamState state = store_call(name, [&] { return stream::describe_stream(env, name); });
  std::string out = "{\"StreamDescriptionSummary\":{";
  append_summary_fields(out, state);
  fmt::format_to(std::back_inserter(out), ",\"OpenShardCount\":{},\"ConsumerCount\":0}}}}", state.open_shards());
  return out;
}

std::string KinesisApi::State::describe_stream(element body) {
  std::string name = stream_name(body);
  auto limit = integer_member(body, "Limit").value_or(100);
  auto after = string_member(body, "ExclusiveStartShardId");
  stream::StreamState state = store_call(name, [&] { return stream::describe_stream(env, name); });
  std::string out = "{\"StreamDescription\":{";
  append_summary_fields(out, state);
  out += ",\"Shards\":[";
  std::int64_t count = 0;
  bool more = false;
  for (const stream::ShardState& shard : state.shards) {
    if (after && store::shard_id(shard.meta.index) <= *after) continue;
    if (count == limit) {
      more = true;
      break;
    }
    if (count++ > 0) out += ',';
    append_shard(out, shard.meta);
  }
  fmt::format_to(std::back_inserter(out), "],\"HasMoreShards\":{}}}}}", more);
  return out;
}

std::string KinesisApi::State::list_shards(element body) {
  // NextToken carries the stream and the last shard listed: "NAME/shardId-...".
  std::string name;
  std::optional<std::string> after;
  if (auto token = string_member(body, "NextToken")) {
    std::size_t slash = token->rfind('/');
    if (slash == std::string_view::npos || !store::parse_shard_id(token->substr(slash + 1)))
      throw error("InvalidArgumentException", "Invalid NextToken.");
    name = std::string(token->substr(0, slash));
    after = std::string(token->substr(slash + 1));
  } else {
    name = stream_name(body);
    if (auto start = string_member(body, "ExclusiveStartShardId")) after = std::string(*start);
  }
  auto limit = integer_member(body, "MaxResults").value_or(1000);
  std::string filter = "FROM_TRIM_HORIZON";
  std::optional<lines::EpochMs> filter_time;
  element shard_filter;
  if (!body["ShardFilter"].get(shard_filter)) {
    filter = std::string(string_member(shard_filter, "Type").value_or(filter));
    if (auto id = string_member(shard_filter, "ShardId")) after = std::string(*id);
    filter_time = time_member(shard_filter, "Timestamp");
  }
  stream::StreamState state = store_call(name, [&] { return stream::describe_stream(env, name); });
  lines::EpochMs trim_horizon = lines::now_ms() - state.stream.retention_ms;
  bool young = trim_horizon <= state.stream.created_ms;  // nothing trimmed yet
  std::string out = "{\"Shards\":[";
  std::int64_t count = 0;
  std::string last;
  bool more = false;
  for (const stream::ShardState& shard : state.shards) {
    const store::ShardMeta& m = shard.meta;
    if (after && store::shard_id(m.index) <= *after) continue;
    bool wanted = true;
    if (filter == "AT_LATEST") wanted = m.open;
    else if (filter == "AT_TIMESTAMP" && filter_time)
      wanted = m.created_ms <= *filter_time && (m.open || m.closed_ms >= *filter_time);
    else if (filter == "FROM_TIMESTAMP" && filter_time)
      wanted = m.open || m.closed_ms >= *filter_time;
    else if (filter == "AT_TRIM_HORIZON")
      // The shards open at the trim horizon: when the oldest record kept came or, before any
      // was trimmed, at the stream's start, when only its first shards were (a child made in
      // the same millisecond must not count).
      wanted = young ? m.parent == store::kNoShard
                     : m.created_ms <= trim_horizon && (m.open || m.closed_ms >= trim_horizon);
    if (!wanted) continue;
    if (count == limit) {
      more = true;
      break;
    }
    if (count++ > 0) out += ',';
    append_shard(out, m);
    last = store::shard_id(m.index);
  }
  out += "]";
  if (more) out += ",\"NextToken\":" + lines::json_string(name + "/" + last);
  return out + "}";
}

std::uint32_t KinesisApi::State::require_shard(const std::string& name, std::string_view id) {
  store::StreamMeta stream = find(name);
  auto index = store::parse_shard_id(id);
  if (index) {
    store::ReadTxn reader(env);
    std::vector<store::ShardMeta> shards = store::load_shards(reader.renew(), stream.id);
    if (store::find_shard(shards, *index)) return *index;
  }
  throw error("ResourceNotFoundException", fmt::format("Could not find shard {} in stream {} under account {}.", id, name, kAccountId));
}

std::string KinesisApi::State::split_shard(element body) {
  std::string name = stream_name(body);
  std::string id(string_member(body, "ShardToSplit").value_or(""));
  auto at = store::parse_hash_key(string_member(body, "NewStartingHashKey").value_or(""));
  if (!at) throw error("InvalidArgumentException", "NewStartingHashKey is not a hash key.");
  std::uint32_t index = require_shard(name, id);
  store_call(name, [&] { return stream::split_shard(env, name, index, at); });
  return "{}";
}

std::string KinesisApi::State::merge_shards(element body) {
  std::string name = stream_name(body);
  std::string_view shard_text = string_member(body, "ShardToMerge").value_or("");
  std::string_view adjacent_text = string_member(body, "AdjacentShardToMerge").value_or("");
  std::uint32_t shard = require_shard(name, shard_text), adjacent = require_shard(name, adjacent_text);
  store_call(name, [&] { return stream::merge_shards(env, name, shard, adjacent); });
  return "{}";
}

std::string KinesisApi::State::update_shard_count(element body) {
  std::string name = stream_name(body);
  auto target = integer_member(body, "TargetShardCount").value_or(0);
  std::uint32_t current = store_call(name, [&] { return stream::describe_stream(env, name).open_shards(); });
  store_call(name, [&] { return stream::scale_stream(env, name, static_cast<std::uint32_t>(target)); });
  return fmt::format("{{\"StreamName\":{},\"StreamARN\":{},\"CurrentShardCount\":{},\"TargetShardCount\":{}}}",
                     lines::json_string(name), lines::json_string(arn(name)), current, target);
}

std::string KinesisApi::State::change_retention(element body, bool increase) {
  std::string name = stream_name(body);
  auto hours = integer_member(body, "RetentionPeriodHours").value_or(0);
  store::StreamMeta stream = find(name);
  std::int64_t now_hours = stream.retention_ms / 3'600'000;
  if (increase && hours < now_hours)
    throw error("InvalidArgumentException",
                fmt::format("Requested retention period ({} hours) for stream {} can not be shorter than existing retention period ({} hours). Use DecreaseRetentionPeriod API.",
                            hours, name, now_hours));
  if (!increase && hours > now_hours)
    throw error("InvalidArgumentException",
                fmt::format("Requested retention period ({} hours) for stream {} can not be longer than existing retention period ({} hours). Use IncreaseRetentionPeriod API.",
                            hours, name, now_hours));
  if (hours < 24 || hours > 8760)
    throw error("InvalidArgumentException",
                fmt::format("Minimum allowed retention period is 24 hours. Maximum allowed retention period is 8760 hours. Requested retention period ({} hours) is out of range.", hours));
  store_call(name, [&] {
    stream::set_retention(env, name, hours * 3'600'000);
    return 0;
  });
  return "{}";
}

template <class Body>
void KinesisApi::State::change_tags(const std::string& name, Body&& body) {
  env.write([&](const store::Txn& txn) {
    auto stream = store::find_stream(txn, name);
    if (!stream) throw not_found(name);
    store::Tags tags = store::load_tags(txn, store::keys::stream_tags(stream->id));
    body(tags);
    if (tags.size() > kMaxTags)
      throw error("LimitExceededException",
                  fmt::format("Failed to add tags to stream {} under account {} because a given stream cannot have more than {} tags.",
                              name, kAccountId, kMaxTags));
    store::save_tags(txn, store::keys::stream_tags(stream->id), tags);
  });
}

std::string KinesisApi::State::add_tags(element body) {
  std::string name = stream_name(body);
  change_tags(name, [&](store::Tags& tags) {
    for (auto field : body["Tags"].get_object()) tags[std::string(field.key)] = std::string(field.value.get_string().value());
  });
  return "{}";
}

std::string KinesisApi::State::remove_tags(element body) {
  std::string name = stream_name(body);
  change_tags(name, [&](store::Tags& tags) {
    for (element key : body["TagKeys"].get_array()) tags.erase(std::string(key.get_string().value()));
  });
  return "{}";
}

std::string KinesisApi::State::list_tags(element body) {
  std::string name = stream_name(body);
  auto limit = integer_member(body, "Limit").value_or(static_cast<std::int64_t>(kMaxTags));
  auto after = string_member(body, "ExclusiveStartTagKey");
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  auto stream = store::find_stream(txn, name);
  if (!stream) throw not_found(name);
  std::string out = "{\"Tags\":[";
  std::int64_t count = 0;
  bool more = false;
  for (const auto& [key, value] : store::load_tags(txn, store::keys::stream_tags(stream->id))) {
    if (after && key <= *after) continue;
    if (count == limit) {
      more = true;
      break;
    }
    out += count++ ? ",{\"Key\":" : "{\"Key\":";
    lines::append_json_string(out, key);
    out += ",\"Value\":";
    lines::append_json_string(out, value);
    out += '}';
  }
  return out + fmt::format("],\"HasMoreTags\":{}}}", more);
}

}  // namespace millrace::serve
