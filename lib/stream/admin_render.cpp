#include "stream/admin_render.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "lines/json.h"
#include "metrics/chart_series.h"
#include "metrics/kinesis.h"
#include "metrics/last_hour.h"
#include "store/sequence.h"

namespace millrace::stream {
namespace {

std::string json_string(std::string_view text) {
  std::string out;
  lines::append_json_string(out, text);
  return out;
}

std::string iso(lines::EpochMs ms) { return lines::format_iso8601(ms); }

std::string sequence_or_null(std::uint32_t shard, std::uint64_t counter) {
  return counter == 0 ? "null" : json_string(store::format_sequence({shard, counter}));
}

std::string shard_or_null(std::uint32_t index) {
  return index == store::kNoShard ? "null" : json_string(store::shard_id(index));
}

double hours(std::int64_t ms) { return static_cast<double>(ms) / 3'600'000.0; }

// A shard as DescribeStream's Shards; with the counts of the store when `counted`.
void append_shard_json(std::string& out, const ShardState& s, bool counted) {
  const store::ShardMeta& m = s.meta;
  fmt::format_to(std::back_inserter(out),
                 "{{\"ShardId\":{},\"ParentShardId\":{},\"AdjacentParentShardId\":{},"
                 "\"HashKeyRange\":{{\"StartingHashKey\":\"{}\",\"EndingHashKey\":\"{}\"}},\"State\":\"{}\"",
                 json_string(store::shard_id(m.index)), shard_or_null(m.parent), shard_or_null(m.adjacent_parent),
                 store::format_hash_key(m.range.start), store::format_hash_key(m.range.end), m.open ? "OPEN" : "CLOSED");
  if (counted) {
    bool empty = m.records() == 0;
    fmt::format_to(std::back_inserter(out),
                   ",\"FirstSequenceNumber\":{},\"LastSequenceNumber\":{},\"FirstArrival\":{},\"LastArrival\":{},"
                   "\"Records\":{},\"Bytes\":{}",
                   sequence_or_null(m.index, empty ? 0 : m.first_counter),
                   sequence_or_null(m.index, empty ? 0 : m.next_counter - 1),
                   s.first_arrival_ms ? json_string(iso(*s.first_arrival_ms)) : "null",
                   s.last_arrival_ms ? json_string(iso(*s.last_arrival_ms)) : "null", m.records(), m.bytes);
  }
  out.push_back('}');
}

void append_summary_json(std::string& out, const StreamState& state) {
  fmt::format_to(std::back_inserter(out),
                 "\"StreamName\":{},\"StreamStatus\":{},\"StreamCreationTimestamp\":\"{}\","
                 "\"RetentionPeriodHours\":{},\"RetentionPeriod\":\"{}\",\"OpenShardCount\":{}",
                 json_string(state.stream.name), json_string(state.status), iso(state.stream.created_ms),
                 hours(state.stream.retention_ms), lines::format_duration(state.stream.retention_ms), state.open_shards());
  if (state.counted) fmt::format_to(std::back_inserter(out), ",\"Records\":{},\"Bytes\":{}", state.records(), state.bytes());
}

// The status after the name where it is not ACTIVE (an endpoint's stream being changed).
std::string status_note(const StreamState& state) { return state.status == "ACTIVE" ? "" : " (" + state.status + ")"; }

std::string cell_sequence(std::uint32_t shard, std::uint64_t counter) {
  return counter == 0 ? "-" : store::format_sequence({shard, counter});
}

}  // namespace

std::string describe_json(const StreamState& state) {
  std::string out = "{";
  append_summary_json(out, state);
  out.append(",\"Shards\":[");
  for (std::size_t i = 0; i < state.shards.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_shard_json(out, state.shards[i], state.counted);
  }
  out.push_back(']');
  if (!state.counted) return out.append("}\n");
  out.append(",\"Groups\":[");
  for (std::size_t g = 0; g < state.groups.size(); ++g) {
    const GroupState& group = state.groups[g];
    if (g > 0) out.push_back(',');
    fmt::format_to(std::back_inserter(out), "{{\"GroupName\":{},\"Shards\":[", json_string(group.name));
    for (std::size_t i = 0; i < group.shards.size(); ++i) {
      const GroupShardState& s = group.shards[i];
      if (i > 0) out.push_back(',');
      fmt::format_to(std::back_inserter(out),
                     "{{\"ShardId\":{},\"Checkpoint\":{},\"RecordsBehind\":{},\"IteratorAgeMilliseconds\":{},"
                     "\"LeaseOwner\":{},\"LeaseExpiry\":{}}}",
                     json_string(store::shard_id(s.shard)), sequence_or_null(s.shard, s.checkpoint.counter), s.behind,
                     s.iterator_age_ms, s.checkpoint.owner.empty() ? "null" : json_string(s.checkpoint.owner),
                     s.checkpoint.lease_expiry_ms == 0 ? "null" : json_string(iso(s.checkpoint.lease_expiry_ms)));
    }
    out.append("]}");
  }
  out.append("]}\n");
  return out;
}

std::string describe_table(const StreamState& state, std::string_view last_hour) {
  std::string out = fmt::format("stream {}{}: {} open shards, ", state.stream.name, status_note(state), state.open_shards());
  if (state.counted) fmt::format_to(std::back_inserter(out), "{} records, {} bytes, ", state.records(), state.bytes());
  fmt::format_to(std::back_inserter(out), "retention {}, created {}\n\n", lines::format_duration(state.stream.retention_ms),
                 iso(state.stream.created_ms));
  if (!last_hour.empty()) out.append(last_hour).push_back('\n');
  fmt::format_to(std::back_inserter(out), "{:<20} {:<6} {:<41} ", "SHARD", "STATE", "PARENTS");
  if (state.counted)
    fmt::format_to(std::back_inserter(out), "{:<17} {:<17} {:>10} {:>12} ", "FIRST SEQ", "LAST SEQ", "RECORDS", "BYTES");
  out.append(" HASH KEYS\n");
  for (const ShardState& s : state.shards) {
    const store::ShardMeta& m = s.meta;
    std::string parents = m.parent == store::kNoShard ? "-" : store::shard_id(m.parent);
    if (m.adjacent_parent != store::kNoShard) parents += "," + store::shard_id(m.adjacent_parent);
    fmt::format_to(std::back_inserter(out), "{:<20} {:<6} {:<41} ", store::shard_id(m.index), m.open ? "open" : "closed",
                   parents);
    if (state.counted) {
      bool empty = m.records() == 0;
      fmt::format_to(std::back_inserter(out), "{:<17} {:<17} {:>10} {:>12} ",
                     cell_sequence(m.index, empty ? 0 : m.first_counter),
                     cell_sequence(m.index, empty ? 0 : m.next_counter - 1), m.records(), m.bytes);
    }
    fmt::format_to(std::back_inserter(out), " {}..{}\n", store::format_hash_key(m.range.start),
                   store::format_hash_key(m.range.end));
  }
  if (!state.counted) return out;  // no groups either
  for (const GroupState& group : state.groups) {
    fmt::format_to(std::back_inserter(out), "\ngroup {}\n{:<20} {:<17} {:>10} {:>14}  {}\n", group.name, "SHARD",
                   "CHECKPOINT", "BEHIND", "ITERATOR AGE", "LEASE");
    for (const GroupShardState& s : group.shards)
      fmt::format_to(std::back_inserter(out), "{:<20} {:<17} {:>10} {:>12}ms  {}\n", store::shard_id(s.shard),
                     cell_sequence(s.shard, s.checkpoint.counter), s.behind, s.iterator_age_ms,
                     s.checkpoint.owner.empty() ? "-" : s.checkpoint.owner + " until " + iso(s.checkpoint.lease_expiry_ms));
  }
  return out;
}

std::string incoming_last_hour(store::Env& env, const StreamState& state, lines::EpochMs now, int columns,
                               metrics::Glyphs glyphs) {
  store::ReadTxn reader(env);
  const store::Txn& txn = reader.renew();
  const std::string& name = state.stream.name;
  std::vector<metrics::HourRow> rows = {
      {metrics::printable(name), metrics::MetricId(std::string(metrics::kKinesis), "IncomingRecords", {{"StreamName", name}})}};
  for (const ShardState& shard : state.shards) {
    std::string id = store::shard_id(shard.meta.index);
    metrics::MetricId metric(std::string(metrics::kKinesis), "IncomingRecords", {{"StreamName", name}, {"ShardId", id}});
    auto had_any = [&] {
      auto minutes = metrics::last_hour(txn, metric, now, 1);
      return std::any_of(minutes.begin(), minutes.end(), [](const std::optional<double>& v) { return v.has_value(); });
    };
    if (shard.meta.open || had_any()) rows.push_back({id, std::move(metric)});
  }
  return metrics::last_hour_block(txn, "incoming records", rows, now, columns, glyphs);
}

std::string list_json(const std::vector<StreamState>& states) {
  std::string out = "{\"StreamNames\":[";
  for (std::size_t i = 0; i < states.size(); ++i) out.append(i > 0 ? "," : "").append(json_string(states[i].stream.name));
  out.append("],\"StreamSummaries\":[");
  for (std::size_t i = 0; i < states.size(); ++i) {
    out.append(i > 0 ? ",{" : "{");
    append_summary_json(out, states[i]);
    out.push_back('}');
  }
  out.append("]}\n");
  return out;
}

std::string list_table(const std::vector<StreamState>& states, bool counted) {
  std::string out = fmt::format("{:<32} {:>6} ", "STREAM", "SHARDS");
  if (counted) fmt::format_to(std::back_inserter(out), "{:>12} {:>14} ", "RECORDS", "BYTES");
  fmt::format_to(std::back_inserter(out), "{:>10}\n", "RETENTION");
  for (const StreamState& s : states) {
    fmt::format_to(std::back_inserter(out), "{:<32} {:>6} ", s.stream.name + status_note(s), s.open_shards());
    if (counted) fmt::format_to(std::back_inserter(out), "{:>12} {:>14} ", s.records(), s.bytes());
    fmt::format_to(std::back_inserter(out), "{:>10}\n", lines::format_duration(s.stream.retention_ms));
  }
  return out;
}

std::string shard_ids_json(const std::vector<std::uint32_t>& shards) {
  std::string out = "{\"ShardIds\":[";
  for (std::size_t i = 0; i < shards.size(); ++i) out.append(i > 0 ? "," : "").append(json_string(store::shard_id(shards[i])));
  return out + "]}\n";
}

std::string shard_ids_lines(const std::vector<std::uint32_t>& shards) {
  std::string out;
  for (std::uint32_t shard : shards) out += store::shard_id(shard) + "\n";
  return out;
}

}  // namespace millrace::stream
