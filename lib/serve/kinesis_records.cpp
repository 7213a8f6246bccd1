// The Kinesis API's records: PutRecord, PutRecords, GetShardIterator and GetRecords
// (serve/kinesis_state.h).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <iterator>

#include "lines/json.h"
#include "lines/reader.h"
#include "serve/kinesis_state.h"
#include "store/records.h"
#include "store/sequence.h"

namespace millrace::serve {

using namespace kinesis;

namespace {

// A time as Kinesis writes it in its messages (Java's Date.toString, in UTC):
// "Mon Dec 07 10:00:00 UTC 2026".
std::string java_date(lines::EpochMs ms) {
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:%a %b %d %H:%M:%S} UTC {}", utc, utc.tm_year + 1900);
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

store::HashKey KinesisApi::State::route(element entry, std::string_view partition_key) {
  thread_local store::Md5 md5;
  if (auto explicit_key = string_member(entry, "ExplicitHashKey")) {
    auto key = store::parse_hash_key(*explicit_key);
    if (!key) throw error("InvalidArgumentException", fmt::format("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {}", *explicit_key));
    return *key;
  }
  return md5(partition_key);
}

void KinesisApi::State::decode(element entry, stream::Batch& batch) {
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

RecordBatch KinesisApi::State::batch_of(std::shared_ptr<stream::Batch> records) {
  RecordBatch batch;
  records->append_puts(batch.puts);
  batch.bytes = std::move(records);
  return batch;
}

void KinesisApi::State::submit(std::string name, RecordBatch batch, Done done,
            std::function<std::string(const std::vector<store::Position>&)> answer) {
  batch.stream = name;
  batch.received = lines::now_ms();
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

std::vector<std::string> KinesisApi::State::throttle(const std::string& name, RecordBatch& batch) {
  return limits ? limits->throttle(env, name, batch.puts) : std::vector<std::string>{};
}

void KinesisApi::State::put_record(element body, Done& done) {
  std::string name = stream_name(body);
  auto records = std::make_shared<stream::Batch>();
  decode(body, *records);
  RecordBatch batch = batch_of(std::move(records));
  batch.operation = RecordBatch::Operation::put_record;
  if (std::vector<std::string> refusals = throttle(name, batch); !refusals.empty())
    throw error("ProvisionedThroughputExceededException", refusals[0]);
  submit(std::move(name), std::move(batch), std::move(done), [](const std::vector<store::Position>& placed) {
    std::string out;
    append_placed(out, placed[0]);
    out.pop_back();  // the object goes on
    return out.append(kEncryption) + '}';
  });
}

void KinesisApi::State::put_records(element body, Done& done) {
  std::string name = stream_name(body);
  simdjson::dom::array entries = body["Records"].get_array();
  auto records = std::make_shared<stream::Batch>();
  for (element entry : entries) decode(entry, *records);
  if (records->bytes() > kPutRecordsMaxBytes)
    throw error("InvalidArgumentException", fmt::format("Records size exceeds 5 MB limit: {} bytes", records->bytes()));
  RecordBatch batch = batch_of(std::move(records));
  batch.operation = RecordBatch::Operation::put_records;
  std::vector<std::string> refusals = throttle(name, batch);
  for (const std::string& refusal : refusals) batch.throttled += refusal.empty() ? 0 : 1;
  // Every record refused: nothing to commit.
  if (batch.puts.empty()) return done(ApiAnswer{200, put_records_result({}, refusals, kEncryption)});
  submit(std::move(name), std::move(batch), std::move(done),
         [refusals = std::move(refusals)](const std::vector<store::Position>& placed) {
           return put_records_result(placed, refusals, kEncryption);
         });
}

std::string KinesisApi::State::encode(const Iterator& it) {
  std::string text = fmt::format("{}/{}/{}/{}/{}", it.stream_id, it.shard, it.counter, it.issued_ms, it.stream);
  std::string out;
  lines::append_base64(out, text);
  return out;
}

KinesisApi::State::Iterator KinesisApi::State::decode_iterator(std::string_view text) const {
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

std::string KinesisApi::State::get_shard_iterator(element body) {
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

std::string KinesisApi::State::get_records(element body) {
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

}  // namespace millrace::serve
