// KinesisClient: the Kinesis Data Streams operations that ks-put, ks-consume and ks-shard use on
// an endpoint, as typed calls over aws::JsonClient (JSON 1.1, SigV4, AWS's retries).
//
// Requests are written and answers read by the shapes of botocore's model
// (botocore/data/kinesis/2013-12-02/service-2.json): record data is base64 on the wire, and
// ApproximateArrivalTimestamp is epoch seconds with a fraction.
//
// A ResourceNotFoundException for the stream is store::no_such_stream's error, as locally.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/json_client.h"
#include "lines/time.h"
#include "store/hash_key.h"

namespace millrace::aws {

struct PutEntry {
  std::string_view partition_key;
  std::string_view data;
  std::string_view explicit_hash_key;  // decimal, or empty
};

struct PutResult {
  std::string shard_id;
  std::string sequence;
  std::string error_code;  // empty: put
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

struct ShardInfo {
  std::string id;
  std::string parent, adjacent_parent;  // empty when none
  bool closed = false;                  // has an ending sequence number
  store::HashRange hash_range{0, store::kMaxHashKey};
};

// DescribeStreamSummary's description of a stream.
struct StreamSummary {
  std::string name;
  std::string status;  // CREATING, DELETING, ACTIVE, UPDATING
  std::int64_t retention_hours = 24;
  lines::EpochMs created_ms = 0;
  std::uint32_t open_shards = 0;
};

struct FetchedRecord {
  std::string sequence;
  std::string partition_key;
  std::string data;
  lines::EpochMs arrival_ms = 0;
};

struct FetchedRecords {
  std::vector<FetchedRecord> records;
  std::optional<std::string> next_iterator;  // none: the shard is closed and read to its end
  std::int64_t millis_behind = 0;
};

// Kinesis' ShardIteratorType, with the sequence number or time it needs.
struct IteratorStart {
  std::string_view type;       // TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP
  std::string_view sequence;   // *_SEQUENCE_NUMBER
  lines::EpochMs time = 0;     // AT_TIMESTAMP
};

// The readers of the answers, apart from the requests so that they can be fuzzed
// (tests/fuzz/kinesis_answer.cpp). Each throws cli::Error(unavailable, where) for an answer
// not of botocore's shape; members the model makes optional may be missing. `parser` is reused
// from answer to answer: its buffers grow once, not at every answer.
// PutRecords' answer to `count` records: one result each.
void read_put_records_answer(simdjson::dom::parser& parser, std::string_view body, std::size_t count, std::vector<PutResult>& results,
                             std::string_view where);
// ListShards' answer: its shards appended to `shards`; returns NextToken ("" for the last page).
std::string read_list_shards_answer(simdjson::dom::parser& parser, std::string_view body, std::vector<ShardInfo>& shards, std::string_view where);
void read_get_records_answer(simdjson::dom::parser& parser, std::string_view body, FetchedRecords& out, std::string_view where);
// DescribeStreamSummary's answer.
StreamSummary read_stream_summary_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view where);
// ListStreams' answer: its names appended to `names`, NextToken to `next_token` ("" when none);
// returns HasMoreStreams.
bool read_list_streams_answer(simdjson::dom::parser& parser, std::string_view body, std::vector<std::string>& names,
                              std::string& next_token, std::string_view where);

class KinesisClient {
 public:
  explicit KinesisClient(const StoreSpec& store);

  // One PutRecords request: results[i] is records[i]'s. REQUIRES 1 to 500 records.
  void put_records(std::string_view stream, std::span<const PutEntry> records, std::vector<PutResult>& results);
  std::vector<ShardInfo> list_shards(std::string_view stream);
  // Throws ServiceError as the service answers: a sequence number of another shard is an
  // InvalidArgumentException on AWS, a ResourceNotFoundException on some emulators.
  std::string shard_iterator(std::string_view stream, std::string_view shard_id, const IteratorStart& start);
  // Throws ServiceError ExpiredIteratorException when the iterator is older than 5 minutes.
  void get_records(std::string_view iterator, std::uint32_t limit, FetchedRecords& out);
  // Creates `stream` with `shards` shards and waits until it is ACTIVE, for aws::kReadyWait at
  // most (then cli::Error(temp_fail)); false when it existed.
  bool create_stream(std::string_view stream, std::uint32_t shards);

  // The control plane of ks-shard. A change leaves the stream UPDATING for a while (seconds to
  // minutes on AWS): each waits until it is ACTIVE again, for aws::kReadyWait at most (then
  // cli::Error(temp_fail)). A ServiceError but ResourceNotFoundException is told naming the
  // stream, with the service's type and message.
  StreamSummary describe_stream_summary(std::string_view stream);
  std::vector<std::string> list_streams();  // every page
  // IncreaseStreamRetentionPeriod or DecreaseStreamRetentionPeriod, as `hours` is more or
  // less than the stream's retention now.
  void set_retention(std::string_view stream, std::int64_t hours);
  void split_shard(std::string_view stream, std::string_view shard_id, std::string_view new_starting_hash_key);
  void merge_shards(std::string_view stream, std::string_view shard_id, std::string_view adjacent_shard_id);
  void update_shard_count(std::string_view stream, std::uint32_t target);  // UNIFORM_SCALING
  // DeleteStream, then waits until the stream is gone.
  void delete_stream(std::string_view stream);

  JsonClient& json() { return client_; }

 private:
  const std::string& call(std::string_view operation, std::string_view stream);
  // call() for the control plane: an error the service answered names the stream.
  const std::string& change(std::string_view operation, std::string_view stream);
  // Polls DescribeStreamSummary until the stream is ACTIVE; `done` says what was asked
  // ("created") in the error when it does not become so.
  void wait_active(std::string_view stream, std::string_view done);
  // `operation` with members of text (SplitShard's, MergeShards'), then wait_active.
  void change_shards(std::string_view operation, std::string_view stream,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> members, std::string_view done);
  JsonClient client_;
  std::string body_;
  simdjson::dom::parser parser_;
};

}  // namespace millrace::aws
