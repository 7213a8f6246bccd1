// The AWS client's readers of Kinesis answers (aws/kinesis_client.h): PutRecords, ListShards,
// GetRecords, DescribeStreamSummary and ListStreams, whatever an endpoint sends back.
//
// Input: one answer's body, given to each reader.
//
// Checks: an answer is read or refused with cli::Error, nothing else; PutRecords gives one
// result per record asked for, each either put (a shard and a sequence number) or failed (an
// error code); ListShards' shards all have an id and a hash-key range that is one; GetRecords'
// arrival times are within the years it accepts, and its data is what the base64 said;
// DescribeStreamSummary's status is there and its retention, shard count and creation time in
// range; ListStreams only appends names, none empty.
#include <string>
#include <vector>

#include "aws/kinesis_client.h"
#include "cli/error.h"
#include "fuzz.h"
#include "lines/json.h"

using namespace millrace;
using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body = fuzz::as_text(data, size);
  simdjson::dom::parser parser;
  for (std::size_t count : {std::size_t{1}, std::size_t{3}}) {
    std::vector<aws::PutResult> results;
    try {
      aws::read_put_records_answer(parser, body, count, results, "fuzz");
    } catch (const cli::Error&) {
      continue;
    }
    require(results.size() == count, "PutRecords' results are not one per record");
    for (const aws::PutResult& result : results)
      require(!result.ok() || (!result.shard_id.empty() && !result.sequence.empty()),
              "a record is taken as put without its shard and sequence number");
  }
  try {
    std::vector<aws::ShardInfo> shards;
    aws::read_list_shards_answer(parser, body, shards, "fuzz");
    for (const aws::ShardInfo& shard : shards) {
      require(!shard.id.empty(), "a shard without an id");
      require(shard.hash_range.start <= shard.hash_range.end, "a hash-key range that ends before it starts");
    }
  } catch (const cli::Error&) {
  }
  try {
    aws::FetchedRecords fetched;
    aws::read_get_records_answer(parser, body, fetched, "fuzz");
    for (const aws::FetchedRecord& record : fetched.records) {
      require(record.arrival_ms >= 0 && record.arrival_ms <= 100'000'000'000'000, "an arrival time out of range");
      std::string again;
      lines::append_base64(again, record.data);
      std::string decoded;
      require(lines::append_base64_decoded(decoded, again) && decoded == record.data, "data does not survive base64");
    }
  } catch (const cli::Error&) {
  }
  try {
    aws::StreamSummary summary = aws::read_stream_summary_answer(parser, body, "fuzz");
    require(!summary.status.empty(), "a summary without a status");
    require(summary.retention_hours >= 1 && summary.retention_hours <= 1'000'000, "a retention out of range");
    require(summary.open_shards <= 1'000'000, "an open shard count out of range");
    require(summary.created_ms >= 0 && summary.created_ms <= 100'000'000'000'000, "a creation time out of range");
  } catch (const cli::Error&) {
  }
  try {
    std::vector<std::string> names = {"before"};
    std::string next_token;
    aws::read_list_streams_answer(parser, body, names, next_token, "fuzz");
    require(!names.empty() && names.front() == "before", "ListStreams' names replaced those of the pages before");
    for (const std::string& name : names) require(!name.empty(), "an empty stream name");
  } catch (const cli::Error&) {
  }
  return 0;
}
