// The inside of serve/kinesis_api.h: what the Kinesis API's operations share (the store, the
// committer, the region, the shard limits, Kinesis' errors and limits), and the operations
// themselves: the control plane (streams, shards, retention, tags) in kinesis_streams.cpp, the
// records (puts, iterators, reads) in kinesis_records.cpp. Not for use outside lib/serve.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/arn.h"
#include "cli/error.h"
#include "lines/time.h"
#include "serve/api.h"
#include "serve/kinesis_api.h"
#include "serve/record_committer.h"
#include "serve/shard_limits.h"
#include "store/env.h"
#include "store/hash_key.h"
#include "store/streams.h"
#include "stream/admin.h"
#include "stream/put_parser.h"

namespace millrace::serve {
namespace kinesis {

using simdjson::dom::element;

// Kinesis' limits that are not in its model.
constexpr std::int64_t kIteratorLifetimeMs = 5 * 60'000;
constexpr std::size_t kGetRecordsMaxBytes = 10 << 20;
constexpr std::size_t kPutRecordsMaxBytes = 5 << 20;
constexpr std::int64_t kDefaultListLimit = 100;
// What the answers of puts say of encryption: records are stored as they come.
constexpr std::string_view kEncryption = ",\"EncryptionType\":\"NONE\"";

// A refusal of the request: HTTP 400 with Kinesis' __type and message.
inline aws::ApiError error(std::string type, std::string message) { return aws::ApiError{400, std::move(type), std::move(message)}; }

// A timestamp member: epoch seconds (a number, fractions allowed) or ISO 8601.
inline std::optional<lines::EpochMs> time_member(element body, std::string_view name) {
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
inline ApiAnswer internal_failure(const std::exception& e) {
  return ApiAnswer::of(aws::ApiError{500, "InternalFailure", e.what()});
}

}  // namespace kinesis

struct KinesisApi::State {
  using element = kinesis::element;

  State(store::Env& e, RecordCommitter& c, std::string r, ShardLimits* l)
      : env(e), committer(c), region(std::move(r)), limits(l) {}

  store::Env& env;
  RecordCommitter& committer;
  std::string region;
  ShardLimits* limits;

  std::string arn(std::string_view name) const {
    return aws::kinesis_stream_arn(region, name);
  }

  // The stream a request names, by StreamName or StreamARN.
  std::string stream_name(element body) const {
    if (auto name = string_member(body, "StreamName")) return std::string(*name);
    if (auto stream_arn = string_member(body, "StreamARN")) {
      std::size_t slash = stream_arn->rfind("stream/");
      return std::string(stream_arn->substr(slash + 7));
    }
    throw kinesis::error("ValidationException", "Either StreamName or StreamARN must be provided.");
  }

  aws::ApiError not_found(std::string_view name) const {
    return kinesis::error("ResourceNotFoundException", fmt::format("Stream {} under account {} not found.", name, kAccountId));
  }

  // The store's error, as Kinesis says it; nullopt for a failure that is not the request's.
  std::optional<aws::ApiError> kinesis_error(const cli::Error& e, std::string_view name) const {
    switch (e.status()) {
      case cli::Exit::no_input:
        if (std::string_view(e.what()).starts_with("no such stream")) return not_found(name);
        return kinesis::error("ResourceNotFoundException", e.what());
      case cli::Exit::cant_create:
        return kinesis::error("ResourceInUseException", fmt::format("Stream {} under account {} already exists.", name, kAccountId));
      case cli::Exit::usage:
      case cli::Exit::data:
        return kinesis::error("InvalidArgumentException", e.what());
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

  // ---- the control plane (kinesis_streams.cpp) ----------------------------------------------

  std::string create_stream(element body);
  std::string delete_stream(element body);
  std::string list_streams(element body);
  void append_summary_fields(std::string& out, const stream::StreamState& state) const;
  static void append_shard(std::string& out, const store::ShardMeta& shard);
  std::string describe_stream_summary(element body);
  std::string describe_stream(element body);
  std::string list_shards(element body);

  // The index of shard `id` of stream `name`; Kinesis' ResourceNotFoundException when the stream
  // has no such shard.
  std::uint32_t require_shard(const std::string& name, std::string_view id);
  std::string split_shard(element body);
  std::string merge_shards(element body);
  std::string update_shard_count(element body);
  std::string change_retention(element body, bool increase);

  // ---- tags ----------------------------------------------------------------------------------

  // Kinesis' limit of tags on a stream.
  static constexpr std::size_t kMaxTags = 50;

  // Runs body(txn, stream id, tags) in a write transaction and saves the tags it leaves.
  template <class Body>
  void change_tags(const std::string& name, Body&& body);
  std::string add_tags(element body);
  std::string remove_tags(element body);
  std::string list_tags(element body);

  // ---- records (kinesis_records.cpp) ----------------------------------------------------------

  // The routing of one entry: ExplicitHashKey, else MD5 of the partition key.
  static store::HashKey route(element entry, std::string_view partition_key);

  // Adds an entry to `batch`, which owns its bytes (the request's DOM is reused by the next
  // request before the commit): its partition key, its decoded data, where it goes, and whether
  // the data is JSON (ks-consume prints it as such), decided as ks-put decides it.
  static void decode(element entry, stream::Batch& batch);

  // A put's records as the committer takes them: the puts view `records`, which the batch keeps.
  static RecordBatch batch_of(std::shared_ptr<stream::Batch> records);

  // Submits the records of a put; `answer` formats the response from where they went.
  void submit(std::string name, RecordBatch batch, Done done,
              std::function<std::string(const std::vector<store::Position>&)> answer);

  // With shard limits: the refusal of each put of `batch` (empty when admitted), those refused
  // taken out of the batch; none when every put is admitted.
  std::vector<std::string> throttle(const std::string& name, RecordBatch& batch);
  void put_record(element body, Done& done);  // moves `done` only once nothing can throw
  void put_records(element body, Done& done);

  // An iterator: where a reader stands in a shard, when it was made, and the stream it belongs
  // to (its id, so that a stream deleted and made again does not take old iterators).
  struct Iterator {
    std::uint32_t stream_id, shard;
    std::uint64_t counter;
    lines::EpochMs issued_ms;
    std::string stream;
  };
  static std::string encode(const Iterator& it);
  Iterator decode_iterator(std::string_view text) const;
  std::string get_shard_iterator(element body);
  std::string get_records(element body);
};

}  // namespace millrace::serve
