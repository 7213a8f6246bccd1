#include "aws/kinesis_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <thread>

#include "lines/json.h"
#include "store/streams.h"

namespace millrace::aws {
namespace {

void open_request(std::string& body, std::string_view stream) {
  body.assign("{\"StreamName\":");
  lines::append_json_string(body, stream);
}

}  // namespace

KinesisClient::KinesisClient(const StoreSpec& store) : client_(store, "kinesis", kKinesisJson) {}

const std::string& KinesisClient::call(std::string_view operation, std::string_view stream) {
  try {
    return client_.call(operation, body_);
  } catch (const ServiceError& e) {
    if (e.type() == "ResourceNotFoundException" && !stream.empty()) throw store::no_such_stream(stream);
    throw;
  }
}

void KinesisClient::put_records(std::string_view stream, std::span<const PutEntry> records,
                                std::vector<PutResult>& results) {
  open_request(body_, stream);
  body_.append(",\"Records\":[");
  bool first = true;
  for (const PutEntry& record : records) {
    body_.append(first ? "{\"Data\":\"" : ",{\"Data\":\"");
    first = false;
    lines::append_base64(body_, record.data);
    body_.append("\",\"PartitionKey\":");
    lines::append_json_string(body_, record.partition_key);
    if (!record.explicit_hash_key.empty()) body_.append(",\"ExplicitHashKey\":\"").append(record.explicit_hash_key).append("\"");
    body_.push_back('}');
  }
  body_.append("]}");
  read_put_records_answer(parser_, call("PutRecords", stream), records.size(), results, client_.endpoint().url);
}

void read_put_records_answer(simdjson::dom::parser& parser, std::string_view body, std::size_t count, std::vector<PutResult>& results,
                             std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "PutRecords");
  simdjson::dom::array entries;
  if (doc["Records"].get(entries) != simdjson::SUCCESS || entries.size() != count)
    throw cli::Error(cli::Exit::unavailable, std::string(where), "PutRecords: the answer does not have one result per record");
  results.resize(count);
  std::size_t i = 0;
  for (simdjson::dom::element entry : entries) {
    PutResult& result = results[i++];
    result.shard_id = answer_string(entry, "ShardId");
    result.sequence = answer_string(entry, "SequenceNumber");
    result.error_code = answer_string(entry, "ErrorCode");
    result.error_message = answer_string(entry, "ErrorMessage");
    if (result.ok() && (result.shard_id.empty() || result.sequence.empty())) result.error_code = "InternalFailure";
  }
}

std::vector<ShardInfo> KinesisClient::list_shards(std::string_view stream) {
  std::vector<ShardInfo> shards;
  std::string next_token;
  do {
    if (next_token.empty()) {
      open_request(body_, stream);
      body_.push_back('}');
    } else {
      body_.assign("{\"NextToken\":");
      lines::append_json_string(body_, next_token);
      body_.push_back('}');
    }
    next_token = read_list_shards_answer(parser_, call("ListShards", stream), shards, client_.endpoint().url);
  } while (!next_token.empty());
  return shards;
}

std::string read_list_shards_answer(simdjson::dom::parser& parser, std::string_view body, std::vector<ShardInfo>& shards, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "ListShards");
  simdjson::dom::array list;
  if (doc["Shards"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element shard : list) {
      ShardInfo info;
      info.id = answer_string(shard, "ShardId");
      info.parent = answer_string(shard, "ParentShardId");
      info.adjacent_parent = answer_string(shard, "AdjacentParentShardId");
      simdjson::dom::element range;
      if (shard["HashKeyRange"].get(range) == simdjson::SUCCESS) {
        auto start = store::parse_hash_key(answer_string(range, "StartingHashKey"));
        auto end = store::parse_hash_key(answer_string(range, "EndingHashKey"));
        if (start && end && *start <= *end) info.hash_range = {*start, *end};
      }
      info.closed = shard["SequenceNumberRange"].get(range) == simdjson::SUCCESS &&
                    !answer_string(range, "EndingSequenceNumber").empty();
      if (info.id.empty()) throw cli::Error(cli::Exit::unavailable, std::string(where), "ListShards: a shard without a ShardId");
      shards.push_back(std::move(info));
    }
  }
  return std::string(answer_string(doc, "NextToken"));
}

std::string KinesisClient::shard_iterator(std::string_view stream, std::string_view shard_id,
                                          const IteratorStart& start) {
  open_request(body_, stream);
  body_.append(",\"ShardId\":");
  lines::append_json_string(body_, shard_id);
  body_.append(",\"ShardIteratorType\":\"").append(start.type).append("\"");
  if (!start.sequence.empty()) body_.append(",\"StartingSequenceNumber\":\"").append(start.sequence).append("\"");
  if (start.type == "AT_TIMESTAMP") body_.append(fmt::format(",\"Timestamp\":{}.{:03}", start.time / 1000, start.time % 1000));
  body_.push_back('}');
  simdjson::dom::element doc = answer_object(parser_, call("GetShardIterator", {}), client_.endpoint().url, "GetShardIterator");
  return std::string(answer_string(doc, "ShardIterator"));
}

void KinesisClient::get_records(std::string_view iterator, std::uint32_t limit, FetchedRecords& out) {
  body_.assign("{\"ShardIterator\":");
  lines::append_json_string(body_, iterator);
  body_.append(fmt::format(",\"Limit\":{}}}", limit));
  read_get_records_answer(parser_, call("GetRecords", {}), out, client_.endpoint().url);
}

void read_get_records_answer(simdjson::dom::parser& parser, std::string_view body, FetchedRecords& out, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "GetRecords");
  out.records.clear();
  simdjson::dom::array records;
  if (doc["Records"].get(records) == simdjson::SUCCESS) {
    for (simdjson::dom::element record : records) {
      FetchedRecord& fetched = out.records.emplace_back();
      fetched.sequence = answer_string(record, "SequenceNumber");
      fetched.partition_key = answer_string(record, "PartitionKey");
      if (!lines::append_base64_decoded(fetched.data, answer_string(record, "Data")))
        throw cli::Error(cli::Exit::unavailable, std::string(where), "GetRecords: a record's Data is not base64");
      // Epoch seconds with a fraction; a time outside years 1970 to 5138 is taken as unknown (0).
      double seconds = 0;
      if (record["ApproximateArrivalTimestamp"].get(seconds) == simdjson::SUCCESS && seconds >= 0 && seconds < 1e11)
        fetched.arrival_ms = static_cast<lines::EpochMs>(std::llround(seconds * 1000));
    }
  }
  std::string_view next;
  if (doc["NextShardIterator"].get(next) == simdjson::SUCCESS && !next.empty())
    out.next_iterator = std::string(next);
  else
    out.next_iterator.reset();
  std::int64_t behind = 0;
  out.millis_behind = doc["MillisBehindLatest"].get(behind) == simdjson::SUCCESS ? behind : 0;
}

bool KinesisClient::create_stream(std::string_view stream, std::uint32_t shards) {
  open_request(body_, stream);
  body_.append(fmt::format(",\"ShardCount\":{}}}", shards));
  bool created = true;
  try {
    call("CreateStream", {});
  } catch (const ServiceError& e) {
    if (e.type() != "ResourceInUseException") throw;
    created = false;
  }
  // A new stream is CREATING for a while (seconds on AWS); records are taken once it is ACTIVE.
  wait_active(stream, "created");
  return created;
}

void KinesisClient::wait_active(std::string_view stream, std::string_view done) {
  wait_until(stream, done, "not ACTIVE", [&] { return describe_stream_summary(stream).status == "ACTIVE"; });
}

const std::string& KinesisClient::change(std::string_view operation, std::string_view stream) {
  try {
    return call(operation, stream);
  } catch (const ServiceError& e) {
    throw ServiceError(std::string(stream), e.type(), e.what());
  }
}

StreamSummary KinesisClient::describe_stream_summary(std::string_view stream) {
  open_request(body_, stream);
  body_.push_back('}');
  StreamSummary summary = read_stream_summary_answer(parser_, change("DescribeStreamSummary", stream), client_.endpoint().url);
  if (summary.name.empty()) summary.name = stream;  // the model requires it; an emulator may not
  return summary;
}

StreamSummary read_stream_summary_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "DescribeStreamSummary");
  simdjson::dom::element summary;
  StreamSummary out;
  std::int64_t hours = 0, open = 0;
  if (doc["StreamDescriptionSummary"].get(summary) != simdjson::SUCCESS || !summary.is_object() ||
      (out.status = answer_string(summary, "StreamStatus")).empty() ||
      summary["RetentionPeriodHours"].get(hours) != simdjson::SUCCESS || hours < 1 || hours > 1'000'000 ||
      summary["OpenShardCount"].get(open) != simdjson::SUCCESS || open < 0 || open > 1'000'000)
    throw cli::Error(cli::Exit::unavailable, std::string(where),
                     "DescribeStreamSummary: the answer has no StreamStatus, RetentionPeriodHours and OpenShardCount");
  out.name = answer_string(summary, "StreamName");
  out.retention_hours = hours;
  out.open_shards = static_cast<std::uint32_t>(open);
  // Epoch seconds with a fraction; a time outside years 1970 to 5138 is taken as unknown (0).
  double seconds = 0;
  if (summary["StreamCreationTimestamp"].get(seconds) == simdjson::SUCCESS && seconds >= 0 && seconds < 1e11)
    out.created_ms = static_cast<lines::EpochMs>(std::llround(seconds * 1000));
  return out;
}

std::vector<std::string> KinesisClient::list_streams() {
  std::vector<std::string> names;
  std::string next_token;
  for (bool more = true; more;) {
    if (!next_token.empty()) {
      body_.assign("{\"NextToken\":");
      lines::append_json_string(body_, next_token);
    } else if (!names.empty()) {  // an endpoint of before NextToken: the last name says where
      body_.assign("{\"ExclusiveStartStreamName\":");
      lines::append_json_string(body_, names.back());
    } else {
      body_.assign("{");
    }
    body_.push_back('}');
    std::size_t listed = names.size();
    more = read_list_streams_answer(parser_, call("ListStreams", {}), names, next_token, client_.endpoint().url);
    if (more && names.size() == listed && next_token.empty())
      throw cli::Error(cli::Exit::unavailable, client_.endpoint().url, "ListStreams: more streams, but no way to them");
  }
  return names;
}

bool read_list_streams_answer(simdjson::dom::parser& parser, std::string_view body, std::vector<std::string>& names,
                              std::string& next_token, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "ListStreams");
  simdjson::dom::array list;
  if (doc["StreamNames"].get(list) != simdjson::SUCCESS)
    throw cli::Error(cli::Exit::unavailable, std::string(where), "ListStreams: the answer has no StreamNames");
  for (simdjson::dom::element name : list) {
    std::string_view text;
    if (name.get(text) != simdjson::SUCCESS || text.empty())
      throw cli::Error(cli::Exit::unavailable, std::string(where), "ListStreams: a stream name that is not a string");
    names.emplace_back(text);
  }
  next_token = answer_string(doc, "NextToken");
  bool more = false;
  return doc["HasMoreStreams"].get(more) == simdjson::SUCCESS && more;
}

void KinesisClient::set_retention(std::string_view stream, std::int64_t hours) {
  std::int64_t now = describe_stream_summary(stream).retention_hours;
  if (hours == now) return;
  open_request(body_, stream);
  body_.append(fmt::format(",\"RetentionPeriodHours\":{}}}", hours));
  change(hours > now ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod", stream);
  wait_active(stream, "retention changed");
}

void KinesisClient::change_shards(std::string_view operation, std::string_view stream,
                                  std::initializer_list<std::pair<std::string_view, std::string_view>> members,
                                  std::string_view done) {
  open_request(body_, stream);
  for (const auto& [name, value] : members) {
    body_.append(",\"").append(name).append("\":");
    lines::append_json_string(body_, value);
  }
  body_.push_back('}');
  change(operation, stream);
  wait_active(stream, done);
}

void KinesisClient::split_shard(std::string_view stream, std::string_view shard_id, std::string_view new_starting_hash_key) {
  change_shards("SplitShard", stream, {{"ShardToSplit", shard_id}, {"NewStartingHashKey", new_starting_hash_key}}, "split");
}

void KinesisClient::merge_shards(std::string_view stream, std::string_view shard_id, std::string_view adjacent_shard_id) {
  change_shards("MergeShards", stream, {{"ShardToMerge", shard_id}, {"AdjacentShardToMerge", adjacent_shard_id}}, "merged");
}

void KinesisClient::update_shard_count(std::string_view stream, std::uint32_t target) {
  open_request(body_, stream);
  body_.append(fmt::format(",\"TargetShardCount\":{},\"ScalingType\":\"UNIFORM_SCALING\"}}", target));
  change("UpdateShardCount", stream);
  wait_active(stream, "scaled");
}

void KinesisClient::delete_stream(std::string_view stream) {
  open_request(body_, stream);
  body_.push_back('}');
  change("DeleteStream", stream);
  // DELETING for a while on AWS; the name is free once DescribeStreamSummary no longer finds it.
  wait_until(stream, "deleting", "still there", [&] {
    try {
      describe_stream_summary(stream);
      return false;
    } catch (const cli::Error& e) {
      if (e.status() != cli::Exit::no_input) throw;
      return true;
    }
  });
}

}  // namespace millrace::aws
