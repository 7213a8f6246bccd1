#include "serve/kinesis_api.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <future>
#include <iterator>
#include <map>
#include <vector>

#include "cli/error.h"
#include "lines/json.h"
#include "lines/reader.h"
#include "lines/time.h"
#include "store/hash_key.h"
#include "store/keys.h"
#include "store/records.h"
#include "store/sequence.h"
#include "serve/record_committer.h"
#include "store/streams.h"
#include "store/tags.h"
#include "stream/admin.h"
#include "stream/put_parser.h"

namespace millrace::serve {
namespace {

using simdjson::dom::element;

// Kinesis' limits that are not in its model.
constexpr std::int64_t kIteratorLifetimeMs = 5 * 60'000;
constexpr std::size_t kGetRecordsMaxBytes = 10 << 20;
constexpr std::size_t kPutRecordsMaxBytes = 5 << 20;
constexpr std::int64_t kDefaultListLimit = 100;
// What the answers of puts say of encryption: records are stored as they come.
constexpr std::string_view kEncryption = ",\"EncryptionType\":\"NONE\"";

// A time as Kinesis writes it in its messages (Java's Date.toString, in UTC):
// "Mon Dec 07 10:00:00 UTC 2026".
std::string java_date(lines::EpochMs ms) {
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:%a %b %d %H:%M:%S} UTC {}", utc, utc.tm_year + 1900);
}

aws::ApiError error(std::string type, std::string message) { return aws::ApiError{400, std::move(type), std::move(message)}; }

// A timestamp member: epoch seconds (a number, fractions allowed) or ISO 8601.
std::optional<lines::EpochMs> time_member(element body, std::string_view name) {
  element value;
  if (body[name].get(value)) return std::nullopt;
  double seconds;
  if (!value.get(seconds)) return static_cast<lines::EpochMs>(seconds * 1000.0 + (seconds >= 0 ? 0.5 : -0.5));
  std::string_view text;
  if (!value.get(text))
    if (auto ms = lines::parse_iso8601(text)) return *ms;
  throw error("InvalidArgumentException", fmt::format("{} is not a timestamp", name));
}

// A failure of the server, not of the request (a commit that failed): as AWS answers its own
// failures, with the reason ("commit: no space left on device").
ApiAnswer internal_failure(const std::exception& e) {
  return ApiAnswer::of(aws::ApiError{500, "InternalFailure", e.what()});
}

// Appends {"ShardId":...,"SequenceNumber":...} of a record put: hundreds an answer, so no
// format string is parsed for each.
void append_placed(std::string& out, const store::Position& position) {
  out += "{\"ShardId\":\"";
  store::append_shard_id(out, position.shard);
  out += "\",\"SequenceNumber\":\"";
  store::append_sequence(out, position);
  out += "\"}";
}

}  // namespace

std::string put_records_result(const std::vector<store::Position>& placed, const std::vector<std::string>& refusals,
                               std::string_view more) {
  std::size_t failed = 0;
  for (const std::string& refusal : refusals) failed += refusal.empty() ? 0 : 1;
  std::size_t entries = placed.size() + failed;
  std::string out = fmt::format("{{\"FailedRecordCount\":{},\"Records\":[", failed);
  out.reserve(out.size() + entries * 96 + more.size() + 2);
  for (std::size_t i = 0, put = 0; i < entries; ++i) {
    if (i > 0) out += ',';
    if (i < refusals.size() && !refusals[i].empty()) {
      out += "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":";
      lines::append_json_string(out, refusals[i]);
      out += '}';
      continue;
    }
    append_placed(out, placed[put++]);
  }
  out += ']';
  out += more;
  return out + '}';
}

struct KinesisApi::State {
  State(store::Env& e, RecordCommitter& c, std::string r, ShardLimits* l)
      : env(e), committer(c), region(std::move(r)), limits(l) {}

  store::Env& env;
  RecordCommitter& committer;
  std::string region;
  ShardLimits* limits;

  std::string arn(std::string_view name) const {
    return fmt::format("arn:aws:kinesis:{}:{}:stream/{}", region, kAccountId, name);
  }

  // The stream a request names, by StreamName or StreamARN.
  std::string stream_name(element body) const {
    if (auto name = string_member(body, "StreamName")) return std::string(*name);
    if (auto stream_arn = string_member(body, "StreamARN")) {
      std::size_t slash = stream_arn->rfind("stream/");
      return std::string(stream_arn->substr(slash + 7));
    }
    throw error("ValidationException", "Either StreamName or StreamARN must be provided.");
  }

  aws::ApiError not_found(std::string_view name) const {
    return error("ResourceNotFoundException", fmt::format("Stream {} under account {} not found.", name, kAccountId));
  }

  // The store's error, as Kinesis says it; nullopt for a failure that is not the request's.
  std::optional<aws::ApiError> kinesis_error(const cli::Error& e, std::string_view name) const {
    switch (e.status()) {
      case cli::Exit::no_input:
        if (std::string_view(e.what()).starts_with("no such stream")) return not_found(name);
        return error("ResourceNotFoundException", e.what());
      case cli::Exit::cant_create:
        return error("ResourceInUseException", fmt::format("Stream {} under account {} already exists.", name, kAccountId));
      case cli::Exit::usage:
      case cli::Exit::data:
        return error("InvalidArgumentException", e.what());
      default:
        return std::nullopt;
    }
  }

  // Runs `body` and turns the store's errors into Kinesis'.
  template <class Body>
  auto store_call(std::string_view name, Body&& body) {
    try {
      return body();
    } catch (const cli::Error& e) {
      if (auto kinesis = kinesis_error(e, name)) throw *kinesis;
      throw;
    }
  }

  store::StreamMeta find(const std::string& name) {
    store::ReadTxn reader(env);
    auto stream = store::find_stream(reader.renew(), name);
    if (!stream) throw not_found(name);
    return *stream;
  }

  // ---- the control plane -----------------------------------------------------------------

  std::string create_stream(element body) {
    std::string name = stream_name(body);
    // On-demand streams start with 4 shards, as Kinesis'.
    auto shards = integer_member(body, "ShardCount").value_or(4);
    store_call(name, [&] { return stream::create_stream(env, name, static_cast<std::uint32_t>(shards), store::kDefaultRetentionMs); });
    if (element tags; !body["Tags"].get(tags)) add_tags(body);
    return "{}";
  }

  std::string delete_stream(element body) {
    std::string name = stream_name(body);
    store_call(name, [&] {
      stream::delete_stream(env, name);
      return 0;
    });
    return "{}";
  }

  std::string list_streams(element body) {
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

  void append_summary_fields(std::string& out, const stream::StreamState& state) const {
    fmt::format_to(std::back_inserter(out),
                   "\"StreamName\":{},\"StreamARN\":{},\"StreamStatus\":\"ACTIVE\",\"StreamModeDetails\":"
                   "{{\"StreamMode\":\"PROVISIONED\"}},\"RetentionPeriodHours\":{},\"StreamCreationTimestamp\":{},"
                   "\"EnhancedMonitoring\":[{{\"ShardLevelMetrics\":[]}}],\"EncryptionType\":\"NONE\"",
                   lines::json_string(state.stream.name), lines::json_string(arn(state.stream.name)),
                   state.stream.retention_ms / 3'600'000, epoch_seconds(state.stream.created_ms));
  }

  static void append_shard(std::string& out, const store::ShardMeta& shard) {
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

  std::string describe_stream_summary(element body) {
    std::string name = stream_name(body);
    stream::StreamState state = store_call(name, [&] { return stream::describe_stream(env, name); });
    std::string out = "{\"StreamDescriptionSummary\":{";
    append_summary_fields(out, state);
    fmt::format_to(std::back_inserter(out), ",\"OpenShardCount\":{},\"ConsumerCount\":0}}}}", state.open_shards());
    return out;
  }

  std::string describe_stream(element body) {
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

  std::string list_shards(element body) {
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

  // The index of shard `id` of stream `name`; Kinesis' ResourceNotFoundException when the stream
  // has no such shard.
  std::uint32_t require_shard(const std::string& name, std::string_view id) {
    store::StreamMeta stream = find(name);
    auto index = store::parse_shard_id(id);
    if (index) {
      store::ReadTxn reader(env);
      std::vector<store::ShardMeta> shards = store::load_shards(reader.renew(), stream.id);
      if (store::find_shard(shards, *index)) return *index;
    }
    throw error("ResourceNotFoundException", fmt::format("Could not find shard {} in stream {} under account {}.", id, name, kAccountId));
  }

  std::string split_shard(element body) {
    std::string name = stream_name(body);
    std::string id(string_member(body, "ShardToSplit").value_or(""));
    auto at = store::parse_hash_key(string_member(body, "NewStartingHashKey").value_or(""));
    if (!at) throw error("InvalidArgumentException", "NewStartingHashKey is not a hash key.");
    std::uint32_t index = require_shard(name, id);
    store_call(name, [&] { return stream::split_shard(env, name, index, at); });
    return "{}";
  }

  std::string merge_shards(element body) {
    std::string name = stream_name(body);
    std::string_view shard_text = string_member(body, "ShardToMerge").value_or("");
    std::string_view adjacent_text = string_member(body, "AdjacentShardToMerge").value_or("");
    std::uint32_t shard = require_shard(name, shard_text), adjacent = require_shard(name, adjacent_text);
    store_call(name, [&] { return stream::merge_shards(env, name, shard, adjacent); });
    return "{}";
  }

  std::string update_shard_count(element body) {
    std::string name = stream_name(body);
    auto target = integer_member(body, "TargetShardCount").value_or(0);
    std::uint32_t current = store_call(name, [&] { return stream::describe_stream(env, name).open_shards(); });
    store_call(name, [&] { return stream::scale_stream(env, name, static_cast<std::uint32_t>(target)); });
    return fmt::format("{{\"StreamName\":{},\"StreamARN\":{},\"CurrentShardCount\":{},\"TargetShardCount\":{}}}",
                       lines::json_string(name), lines::json_string(arn(name)), current, target);
  }

  std::string change_retention(element body, bool increase) {
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

  // ---- tags ----------------------------------------------------------------------------------

  // Kinesis' limit of tags on a stream.
  static constexpr std::size_t kMaxTags = 50;

  // Runs body(txn, stream id, tags) in a write transaction and saves the tags it leaves.
  template <class Body>
  void change_tags(const std::string& name, Body&& body) {
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

  std::string add_tags(element body) {
    std::string name = stream_name(body);
    change_tags(name, [&](store::Tags& tags) {
      for (auto field : body["Tags"].get_object()) tags[std::string(field.key)] = std::string(field.value.get_string().value());
    });
    return "{}";
  }

  std::string remove_tags(element body) {
    std::string name = stream_name(body);
    change_tags(name, [&](store::Tags& tags) {
      for (element key : body["TagKeys"].get_array()) tags.erase(std::string(key.get_string().value()));
    });
    return "{}";
  }

  std::string list_tags(element body) {
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

  // ---- records -----------------------------------------------------------------------------

  // The routing of one entry: ExplicitHashKey, else MD5 of the partition key.
  static store::HashKey route(element entry, std::string_view partition_key) {
    thread_local store::Md5 md5;
    if (auto explicit_key = string_member(entry, "ExplicitHashKey")) {
      auto key = store::parse_hash_key(*explicit_key);
      if (!key) throw error("InvalidArgumentException", fmt::format("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {}", *explicit_key));
      return *key;
    }
    return md5(partition_key);
  }

  // Adds an entry to `batch`, which owns its bytes (the request's DOM is reused by the next
  // request before the commit): its partition key, its decoded data, where it goes, and whether
  // the data is JSON (ks-consume prints it as such), decided as ks-put decides it.
  static void decode(element entry, stream::Batch& batch) {
    thread_local std::string data;  // the decoded data, then the padding the validator reads
    thread_local lines::Validator validator;
    std::string_view partition_key = string_member(entry, "PartitionKey").value_or("");
    data.clear();
    if (!lines::append_base64_decoded(data, string_member(entry, "Data").value_or("")))
      throw error("SerializationException", "'data' is not valid base64");
    std::size_t size = data.size();
    data.append(lines::kPadding, '\0');
    std::string_view decoded(data.data(), size);
    store::HashKey hash = route(entry, partition_key);
    batch.add(hash, partition_key, decoded, size > 0 && !validator.parse(decoded));
  }


  // A put's records as the committer takes them: the puts view `records`, which the batch keeps.
  static RecordBatch batch_of(std::shared_ptr<stream::Batch> records) {
    RecordBatch batch;
    records->append_puts(batch.puts);
    batch.bytes = std::move(records);
    return batch;
  }

  // Submits the records of a put; `answer` formats the response from where they went.
  void submit(std::string name, RecordBatch batch, Done done,
              std::function<std::string(const std::vector<store::Position>&)> answer) {
    batch.stream = name;
    batch.done = [this, name, done = std::move(done), answer = std::move(answer)](
                     const std::vector<store::Position>& placed, std::exception_ptr failure) {
      if (!failure) return done(ApiAnswer{200, answer(placed)});
      try {
        std::rethrow_exception(failure);
      } catch (const cli::Error& e) {
        if (auto kinesis = kinesis_error(e, name)) return done(ApiAnswer::of(*kinesis));
        done(internal_failure(e));
      } catch (const std::exception& e) {
        done(internal_failure(e));
      }
    };
    committer.submit(std::move(batch));
  }

  // With shard limits: the refusal of each put of `batch` (empty when admitted), those refused
  // taken out of the batch; none when every put is admitted.
  std::vector<std::string> throttle(const std::string& name, RecordBatch& batch) {
    return limits ? limits->throttle(env, name, batch.puts) : std::vector<std::string>{};
  }

  void put_record(element body, Done& done) {  // moves `done` only once nothing can throw
    std::string name = stream_name(body);
    auto records = std::make_shared<stream::Batch>();
    decode(body, *records);
    RecordBatch batch = batch_of(std::move(records));
    if (std::vector<std::string> refusals = throttle(name, batch); !refusals.empty())
      throw error("ProvisionedThroughputExceededException", refusals[0]);
    submit(std::move(name), std::move(batch), std::move(done), [](const std::vector<store::Position>& placed) {
      std::string out;
      append_placed(out, placed[0]);
      out.pop_back();  // the object goes on
      return out.append(kEncryption) + '}';
    });
  }

  void put_records(element body, Done& done) {
    std::string name = stream_name(body);
    simdjson::dom::array entries = body["Records"].get_array();
    auto records = std::make_shared<stream::Batch>();
    for (element entry : entries) decode(entry, *records);
    if (records->bytes() > kPutRecordsMaxBytes)
      throw error("InvalidArgumentException", fmt::format("Records size exceeds 5 MB limit: {} bytes", records->bytes()));
    RecordBatch batch = batch_of(std::move(records));
    std::vector<std::string> refusals = throttle(name, batch);
    // Every record refused: nothing to commit.
    if (batch.puts.empty()) return done(ApiAnswer{200, put_records_result({}, refusals, kEncryption)});
    submit(std::move(name), std::move(batch), std::move(done),
           [refusals = std::move(refusals)](const std::vector<store::Position>& placed) {
             return put_records_result(placed, refusals, kEncryption);
           });
  }

  // An iterator: where a reader stands in a shard, when it was made, and the stream it belongs
  // to (its id, so that a stream deleted and made again does not take old iterators).
  struct Iterator {
    std::uint32_t stream_id, shard;
    std::uint64_t counter;
    lines::EpochMs issued_ms;
    std::string stream;
  };

  static std::string encode(const Iterator& it) {
    std::string text = fmt::format("{}/{}/{}/{}/{}", it.stream_id, it.shard, it.counter, it.issued_ms, it.stream);
    std::string out;
    lines::append_base64(out, text);
    return out;
  }

  Iterator decode_iterator(std::string_view text) const {
    std::string plain;
    Iterator it{};
    auto invalid = [] { return error("InvalidArgumentException", "Invalid ShardIterator."); };
    if (!lines::append_base64_decoded(plain, text)) throw invalid();
    unsigned long long counter = 0;
    long long issued = 0;
    int name_at = 0;
    if (std::sscanf(plain.c_str(), "%u/%u/%llu/%lld/%n", &it.stream_id, &it.shard, &counter, &issued, &name_at) != 4 ||
        name_at == 0)
      throw invalid();
    it.counter = counter;
    it.issued_ms = issued;
    it.stream = plain.substr(static_cast<std::size_t>(name_at));
    lines::EpochMs now = lines::now_ms();
    if (now - it.issued_ms > kIteratorLifetimeMs)
      throw error("ExpiredIteratorException",
                  fmt::format("Iterator expired. The iterator was created at time {} while right now it is {} which is "
                              "further in the future than the tolerated delay of {} milliseconds.",
                              java_date(it.issued_ms), java_date(now), kIteratorLifetimeMs));
    return it;
  }

  std::string get_shard_iterator(element body) {
    std::string name = stream_name(body);
    std::string id(string_member(body, "ShardId").value_or(""));
    std::string_view type = string_member(body, "ShardIteratorType").value_or("");
    store::ReadTxn reader(env);
    const store::Txn& txn = reader.renew();
    auto stream = store::find_stream(txn, name);
    if (!stream) throw not_found(name);
    auto index = store::parse_shard_id(id);
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream->id);
    const store::ShardMeta* shard = index ? store::find_shard(shards, *index) : nullptr;
    if (!shard)
      throw error("ResourceNotFoundException",
                  fmt::format("Shard {} in stream {} under account {} does not exist", id, name, kAccountId));
    std::uint64_t counter = shard->first_counter;
    bool by_sequence = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
    auto starting = string_member(body, "StartingSequenceNumber");
    if (by_sequence != starting.has_value() && (by_sequence || type == "TRIM_HORIZON" || type == "LATEST"))
      throw error("InvalidArgumentException",
                  fmt::format("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
                              "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified {} and {} StartingSequenceNumber.",
                              type, starting ? "also a" : "no"));
    if (type == "LATEST") {
      counter = shard->next_counter;
    } else if (by_sequence) {
      auto position = store::parse_sequence(*starting);
      if (!position)
        throw error("InvalidArgumentException",
                    fmt::format("StartingSequenceNumber {} used in GetShardIterator on shard {} in stream {} under account {} is invalid.",
                                *starting, id, name, kAccountId));
      if (position->shard != shard->index)
        throw error("InvalidArgumentException",
                    fmt::format("Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {}",
                                store::shard_id(position->shard), id));
      counter = position->counter + (type == "AFTER_SEQUENCE_NUMBER" ? 1 : 0);
    } else if (type == "AT_TIMESTAMP") {
      auto time = time_member(body, "Timestamp");
      if (!time) throw error("InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
      counter = store::counter_at_time(txn, stream->id, *shard, *time);
    }
    return fmt::format("{{\"ShardIterator\":{}}}",
                       lines::json_string(encode(Iterator{stream->id, shard->index, counter, lines::now_ms(), name})));
  }

  std::string get_records(element body) {
    Iterator it = decode_iterator(string_member(body, "ShardIterator").value_or(""));
    auto limit = static_cast<std::uint64_t>(integer_member(body, "Limit").value_or(10000));
    store::ReadTxn reader(env);
    const store::Txn& txn = reader.renew();
    auto stream = store::find_stream(txn, it.stream);
    if (!stream || stream->id != it.stream_id) throw not_found(it.stream);
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream->id);
    const store::ShardMeta* shard = store::find_shard(shards, it.shard);
    if (!shard) throw error("ResourceNotFoundException", fmt::format("Shard {} in stream {} under account {} does not exist", store::shard_id(it.shard), it.stream, kAccountId));
    std::uint64_t next = std::max(it.counter, shard->first_counter);  // records trimmed meanwhile are skipped
    std::string out = "{\"Records\":[";
    std::uint64_t count = 0;
    std::size_t bytes = 0;
    store::ShardCursor cursor(txn, stream->id, shard->index);
    lines::EpochMs last_read_ms = 0;
    for (bool ok = cursor.seek(next); ok && count < limit && bytes < kGetRecordsMaxBytes; ok = cursor.next()) {
      const store::Record& record = cursor.record();
      if (count++ > 0) out += ',';
      out += "{\"SequenceNumber\":\"";
      store::append_sequence(out, record.position);
      out += "\",\"ApproximateArrivalTimestamp\":";
      append_epoch_seconds(out, record.arrival_ms);
      out += ",\"Data\":\"";
      lines::append_base64(out, record.data);
      out += "\",\"PartitionKey\":";
      lines::append_json_string(out, record.partition_key);
      out += '}';
      bytes += record.data.size() + record.partition_key.size();
      next = record.position.counter + 1;
      last_read_ms = record.arrival_ms;
    }
    out += ']';
    bool at_end = next >= shard->next_counter;
    lines::EpochMs now = lines::now_ms();
    // How far this reader is behind the shard's tip: 0 once it has read everything.
    std::int64_t behind = at_end ? 0 : std::max<std::int64_t>(0, now - (last_read_ms ? last_read_ms : now));
    if (!shard->open && at_end) {
      out += ",\"ChildShards\":[";
      bool first = true;
      for (const store::ShardMeta& child : shards) {
        std::vector<std::uint32_t> parents = store::ancestors(shards, child);
        if (std::find(parents.begin(), parents.end(), shard->index) == parents.end()) continue;
        if (!first) out += ',';
        first = false;
        fmt::format_to(std::back_inserter(out), "{{\"ShardId\":\"{}\",\"ParentShards\":[", store::shard_id(child.index));
        for (std::size_t p = 0; p < parents.size(); ++p)
          fmt::format_to(std::back_inserter(out), "{}\"{}\"", p ? "," : "", store::shard_id(parents[p]));
        fmt::format_to(std::back_inserter(out), "],\"HashKeyRange\":{{\"StartingHashKey\":\"{}\",\"EndingHashKey\":\"{}\"}}}}",
                       store::format_hash_key(child.range.start), store::format_hash_key(child.range.end));
      }
      out += ']';
    } else {
      fmt::format_to(std::back_inserter(out), ",\"NextShardIterator\":{}",
                     lines::json_string(encode(Iterator{stream->id, shard->index, next, now, it.stream})));
    }
    fmt::format_to(std::back_inserter(out), ",\"MillisBehindLatest\":{}}}", behind);
    return out;
  }
};

KinesisApi::KinesisApi(store::Env& env, RecordCommitter& committer, std::string region, ShardLimits* limits)
    : state_(std::make_unique<State>(env, committer, std::move(region), limits)) {}

KinesisApi::~KinesisApi() = default;

void KinesisApi::call(std::string_view operation, std::string_view body, Done done) {
  using Sync = std::string (*)(State&, element);
  using Async = void (*)(State&, element, Done&);
  struct Handler {
    Sync sync;
    Async async;
  };
  static const std::map<std::string_view, Handler, std::less<>> kHandlers = {
      {"CreateStream", {[](State& s, element b) { return s.create_stream(b); }, nullptr}},
      {"DeleteStream", {[](State& s, element b) { return s.delete_stream(b); }, nullptr}},
      {"ListStreams", {[](State& s, element b) { return s.list_streams(b); }, nullptr}},
      {"DescribeStream", {[](State& s, element b) { return s.describe_stream(b); }, nullptr}},
      {"DescribeStreamSummary", {[](State& s, element b) { return s.describe_stream_summary(b); }, nullptr}},
      {"ListShards", {[](State& s, element b) { return s.list_shards(b); }, nullptr}},
      {"SplitShard", {[](State& s, element b) { return s.split_shard(b); }, nullptr}},
      {"MergeShards", {[](State& s, element b) { return s.merge_shards(b); }, nullptr}},
      {"UpdateShardCount", {[](State& s, element b) { return s.update_shard_count(b); }, nullptr}},
      {"IncreaseStreamRetentionPeriod", {[](State& s, element b) { return s.change_retention(b, true); }, nullptr}},
      {"DecreaseStreamRetentionPeriod", {[](State& s, element b) { return s.change_retention(b, false); }, nullptr}},
      {"PutRecord", {nullptr, [](State& s, element b, Done& d) { s.put_record(b, d); }}},
      {"PutRecords", {nullptr, [](State& s, element b, Done& d) { s.put_records(b, d); }}},
      {"GetShardIterator", {[](State& s, element b) { return s.get_shard_iterator(b); }, nullptr}},
      {"GetRecords", {[](State& s, element b) { return s.get_records(b); }, nullptr}},
      {"AddTagsToStream", {[](State& s, element b) { return s.add_tags(b); }, nullptr}},
      {"ListTagsForStream", {[](State& s, element b) { return s.list_tags(b); }, nullptr}},
      {"RemoveTagsFromStream", {[](State& s, element b) { return s.remove_tags(b); }, nullptr}},
  };
  auto handler = kHandlers.find(operation);
  const aws::model::Operation* modelled = aws::model::kinesis.operation(operation);
  if (handler == kHandlers.end() || modelled == nullptr)
    return done(ApiAnswer::of(error("UnknownOperationException", fmt::format("Operation {} is not supported.", operation))));
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto invalid = parse_request(aws::model::kinesis, *modelled, body, parser, root)) return done(ApiAnswer::of(*invalid));
  try {
    if (handler->second.async) return handler->second.async(*state_, root, done);
    done(ApiAnswer{200, handler->second.sync(*state_, root)});
  } catch (const aws::ApiError& e) {
    done(ApiAnswer::of(e));
  } catch (const std::exception& e) {  // the store's failure (a commit that failed), not the request's
    done(internal_failure(e));
  }
}

ApiAnswer KinesisApi::call(std::string_view operation, std::string_view body) {
  std::promise<ApiAnswer> answer;
  call(operation, body, [&answer](ApiAnswer a) { answer.set_value(std::move(a)); });
  return answer.get_future().get();
}

}  // namespace millrace::serve
