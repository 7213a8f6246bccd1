#include "serve/kinesis_api.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <regex>
#include <string>
#include <vector>

#include "lines/time.h"
#include "store/records.h"
#include "store/streams.h"

#include "temp_dir.h"

using millrace::serve::ApiAnswer;
using millrace::serve::KinesisApi;
using millrace::test::TempDir;
namespace store = millrace::store;

namespace {

class Api {
 public:
  explicit Api(millrace::serve::ShardLimits* limits = nullptr)
      : env_(dir_ / "store", store::Access::write, store::Sync::none),
        notifier_(env_.dir()),
        committer_(env_, notifier_),
        api_(env_, committer_, "us-east-1", limits) {}

  // The answer's body, parsed; the status must be `status`.
  simdjson::dom::element call(std::string_view operation, const std::string& body, int status = 200) {
    ApiAnswer answer = api_.call(operation, body);
    INFO(operation << " " << body << " -> " << answer.body);
    CHECK(answer.status == status);
    last_ = answer.body;
    return parser_.parse(last_).value();
  }
  // The body of the last answer, as sent.
  const std::string& last() const { return last_; }
  store::Env& env() { return env_; }
  // The __type and message of an error answer.
  std::string error(std::string_view operation, const std::string& body) {
    auto answer = call(operation, body, 400);
    return std::string(answer["__type"].get_string().value()) + ": " + std::string(answer["message"].get_string().value());
  }

 private:
  TempDir dir_;
  store::Env env_;
  store::Notifier notifier_;
  millrace::serve::RecordCommitter committer_;
  KinesisApi api_;
  simdjson::dom::parser parser_;
  std::string last_;
};

std::string str(simdjson::dom::element e) { return std::string(e.get_string().value()); }

// The base64 of ASCII text, worked out by hand for the few texts the tests use.
const char* kHelloBase64 = "eyJoZWxsbyI6MX0=";  // {"hello":1}

}  // namespace

TEST_CASE("CreateStream, DescribeStreamSummary, ListStreams and DeleteStream") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"rides","ShardCount":3})");
  auto summary = api.call("DescribeStreamSummary", R"({"StreamName":"rides"})")["StreamDescriptionSummary"];
  CHECK(str(summary["StreamName"]) == "rides");
  CHECK(str(summary["StreamARN"]) == "arn:aws:kinesis:us-east-1:000000000000:stream/rides");
  CHECK(str(summary["StreamStatus"]) == "ACTIVE");
  CHECK(summary["OpenShardCount"].get_int64().value() == 3);
  CHECK(summary["RetentionPeriodHours"].get_int64().value() == 24);
  // The ARN names the stream as well as its name does.
  CHECK(api.call("DescribeStreamSummary", R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/rides"})")
            ["StreamDescriptionSummary"]["OpenShardCount"].get_int64().value() == 3);

  CHECK(api.error("CreateStream", R"({"StreamName":"rides","ShardCount":1})") ==
        "ResourceInUseException: Stream rides under account 000000000000 already exists.");
  CHECK(api.error("DescribeStreamSummary", R"({"StreamName":"nope"})") ==
        "ResourceNotFoundException: Stream nope under account 000000000000 not found.");

  api.call("CreateStream", R"({"StreamName":"a-first","ShardCount":1})");
  auto page = api.call("ListStreams", R"({"Limit":1})");
  CHECK(str(page["StreamNames"].at(0)) == "a-first");
  CHECK(page["HasMoreStreams"].get_bool().value());
  auto rest = api.call("ListStreams", R"({"ExclusiveStartStreamName":"a-first"})");
  CHECK(str(rest["StreamNames"].at(0)) == "rides");
  CHECK_FALSE(rest["HasMoreStreams"].get_bool().value());

  api.call("DeleteStream", R"({"StreamName":"a-first"})");
  CHECK(api.call("ListStreams", "{}")["StreamNames"].get_array().size() == 1);
}

TEST_CASE("PutRecord routes by ExplicitHashKey and numbers records per shard") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":4})");
  // 2^128 / 4 = 85070591730234615865843651857942052864: the first key of shard 1.
  auto first = api.call("PutRecord", std::string(R"({"StreamName":"s","PartitionKey":"k","Data":")") + kHelloBase64 +
                                         R"(","ExplicitHashKey":"85070591730234615865843651857942052864"})");
  CHECK(str(first["ShardId"]) == "shardId-000000000001");
  CHECK(str(first["SequenceNumber"]) == "20000000000000001");  // shard index + 1, then the counter in 16 digits
  auto second = api.call("PutRecord", std::string(R"({"StreamName":"s","PartitionKey":"k","Data":"","ExplicitHashKey":"85070591730234615865843651857942052863"})"));
  CHECK(str(second["ShardId"]) == "shardId-000000000000");
  CHECK(str(second["SequenceNumber"]) == "10000000000000001");
  CHECK(api.error("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"!!!!"})") ==
        "SerializationException: 'data' is not valid base64");
  CHECK(api.error("PutRecord", R"({"StreamName":"none","PartitionKey":"k","Data":""})") ==
        "ResourceNotFoundException: Stream none under account 000000000000 not found.");
}

TEST_CASE("PutRecords, then GetShardIterator and GetRecords read them back in order") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  auto put = api.call("PutRecords", std::string(R"({"StreamName":"s","Records":[)") +
                                        R"({"PartitionKey":"a","Data":")" + kHelloBase64 + R"("},)" +
                                        R"({"PartitionKey":"b","Data":"YWJj"},)" +  // abc
                                        R"({"PartitionKey":"c","Data":""}]})");
  CHECK(put["FailedRecordCount"].get_int64().value() == 0);
  REQUIRE(put["Records"].get_array().size() == 3);
  CHECK(str(put["Records"].at(2)["SequenceNumber"]) == "10000000000000003");

  auto iterator = str(api.call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})")["ShardIterator"]);
  auto got = api.call("GetRecords", R"({"ShardIterator":")" + iterator + R"(","Limit":2})");
  REQUIRE(got["Records"].get_array().size() == 2);
  CHECK(str(got["Records"].at(0)["Data"]) == kHelloBase64);
  CHECK(str(got["Records"].at(0)["PartitionKey"]) == "a");
  CHECK(str(got["Records"].at(1)["Data"]) == "YWJj");
  CHECK(got["MillisBehindLatest"].get_int64().value() >= 0);
  std::string next = str(got["NextShardIterator"]);
  auto rest = api.call("GetRecords", R"({"ShardIterator":")" + next + R"("})");
  REQUIRE(rest["Records"].get_array().size() == 1);
  CHECK(str(rest["Records"].at(0)["SequenceNumber"]) == "10000000000000003");
  CHECK(rest["MillisBehindLatest"].get_int64().value() == 0);
  auto empty = api.call("GetRecords", R"({"ShardIterator":")" + str(rest["NextShardIterator"]) + R"("})");
  CHECK(empty["Records"].get_array().size() == 0);

  auto at = [&](const char* type, const char* extra) {
    auto it = str(api.call("GetShardIterator", std::string(R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":")") +
                                                   type + "\"" + extra + "}")["ShardIterator"]);
    auto records = api.call("GetRecords", R"({"ShardIterator":")" + it + R"("})")["Records"];
    std::string keys;
    for (auto r : records.get_array()) keys += str(r["PartitionKey"]);
    return keys;
  };
  CHECK(at("AT_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":"10000000000000002")") == "bc");
  CHECK(at("AFTER_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":"10000000000000002")") == "c");
  CHECK(at("LATEST", "") == "");
  CHECK(at("AT_TIMESTAMP", R"(,"Timestamp":0)") == "abc");

  CHECK(api.error("GetRecords", R"({"ShardIterator":"bm90IGFuIGl0ZXJhdG9y"})") == "InvalidArgumentException: Invalid ShardIterator.");
  CHECK(api.error("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000009","ShardIteratorType":"LATEST"})") ==
        "ResourceNotFoundException: Shard shardId-000000000009 in stream s under account 000000000000 does not exist");
}

TEST_CASE("a split closes the parent: ListShards shows its end, GetRecords at its end names the children") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  api.call("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":"YWJj"})");
  api.call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"100"})");
  auto shards = api.call("ListShards", R"({"StreamName":"s"})")["Shards"];
  REQUIRE(shards.get_array().size() == 3);
  CHECK(str(shards.at(0)["SequenceNumberRange"]["EndingSequenceNumber"]) == "10000000000000001");
  CHECK(str(shards.at(1)["ParentShardId"]) == "shardId-000000000000");
  CHECK(str(shards.at(2)["HashKeyRange"]["StartingHashKey"]) == "100");
  CHECK(api.call("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"}})")["Shards"].get_array().size() == 2);
  auto page = api.call("ListShards", R"({"StreamName":"s","MaxResults":2})");
  CHECK(page["Shards"].get_array().size() == 2);
  auto rest = api.call("ListShards", R"({"NextToken":")" + str(page["NextToken"]) + R"("})");
  CHECK(str(rest["Shards"].at(0)["ShardId"]) == "shardId-000000000002");

  auto iterator = str(api.call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})")["ShardIterator"]);
  auto last = api.call("GetRecords", R"({"ShardIterator":")" + iterator + R"("})");
  CHECK(last["Records"].get_array().size() == 1);
  CHECK(last["NextShardIterator"].error() == simdjson::NO_SUCH_FIELD);  // none once a closed shard is read to its end
  REQUIRE(last["ChildShards"].get_array().size() == 2);
  CHECK(str(last["ChildShards"].at(0)["ParentShards"].at(0)) == "shardId-000000000000");

  CHECK(api.error("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"50"})")
            .starts_with("InvalidArgumentException"));
  auto scaled = api.call("UpdateShardCount", R"({"StreamName":"s","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"})");
  CHECK(scaled["CurrentShardCount"].get_int64().value() == 2);
  CHECK(api.call("DescribeStreamSummary", R"({"StreamName":"s"})")["StreamDescriptionSummary"]["OpenShardCount"].get_int64().value() == 4);
}

TEST_CASE("retention changes as Kinesis allows them") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  api.call("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":48})");
  CHECK(api.call("DescribeStreamSummary", R"({"StreamName":"s"})")["StreamDescriptionSummary"]["RetentionPeriodHours"].get_int64().value() == 48);
  CHECK(api.error("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":24})")
            .starts_with("InvalidArgumentException: Requested retention period (24 hours) for stream s can not be shorter"));
  api.call("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":24})");
  CHECK(api.error("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":12})")
            .starts_with("InvalidArgumentException: Minimum allowed retention period is 24 hours"));
}

TEST_CASE("bodies that are not the shape are refused before anything runs") {
  Api api;
  CHECK(api.error("CreateStream", "{not json").starts_with("SerializationException: the request is not JSON"));
  CHECK(api.error("GetRecords", R"({"ShardIterator":"x","Limit":0})") ==
        "ValidationException: 1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1");
  CHECK(api.error("PutRecordz", "{}") == "UnknownOperationException: Operation PutRecordz is not supported.");
}

TEST_CASE("tags are added, listed in key order by pages, and removed") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"team":"rides"}})");
  api.call("AddTagsToStream", R"({"StreamName":"s","Tags":{"env":"test","team":"data"}})");
  auto all = api.call("ListTagsForStream", R"({"StreamName":"s"})");
  REQUIRE(all["Tags"].get_array().size() == 2);
  CHECK(str(all["Tags"].at(0)["Key"]) == "env");
  CHECK(str(all["Tags"].at(1)["Value"]) == "data");  // overwritten, as Kinesis
  CHECK_FALSE(all["HasMoreTags"].get_bool().value());
  auto page = api.call("ListTagsForStream", R"({"StreamName":"s","Limit":1})");
  CHECK(page["HasMoreTags"].get_bool().value());
  CHECK(str(api.call("ListTagsForStream", R"({"StreamName":"s","ExclusiveStartTagKey":"env"})")["Tags"].at(0)["Key"]) == "team");
  api.call("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["env","absent"]})");
  CHECK(api.call("ListTagsForStream", R"({"StreamName":"s"})")["Tags"].get_array().size() == 1);
  std::string many = R"({"StreamName":"s","Tags":{)";
  for (int i = 0; i < 50; ++i) many += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":\"v\"");
  CHECK(api.error("AddTagsToStream", many + "}}").starts_with("LimitExceededException"));
  CHECK(api.call("ListTagsForStream", R"({"StreamName":"s"})")["Tags"].get_array().size() == 1);  // nothing of it kept
  CHECK(api.error("ListTagsForStream", R"({"StreamName":"none"})").starts_with("ResourceNotFoundException"));
}

TEST_CASE("a stream deleted and created again under its name starts with no tags") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"team":"rides"}})");
  api.call("DeleteStream", R"({"StreamName":"s"})");
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  CHECK(api.call("ListTagsForStream", R"({"StreamName":"s"})")["Tags"].get_array().size() == 0);
}

TEST_CASE("with shard limits, PutRecord past a shard's 1000 records a second is refused as Kinesis refuses it") {
  millrace::lines::EpochMs now = 1'800'000'000'000;
  millrace::serve::ShardLimits limits({}, [&now] { return now; });
  Api api(&limits);
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":2})");
  // "k" routes to shard 1 of 2 (MD5 8ce4b16b... is at least 2^127).
  std::string put = std::string(R"({"StreamName":"s","PartitionKey":"k","Data":")") + kHelloBase64 + "\"}";
  for (int i = 0; i < 1000; ++i) REQUIRE(str(api.call("PutRecord", put)["ShardId"]) == "shardId-000000000001");
  CHECK(api.error("PutRecord", put) ==
        "ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000001 in stream s under account "
        "000000000000.");
  now += 1000;
  CHECK(str(api.call("PutRecord", put)["ShardId"]) == "shardId-000000000001");
}

TEST_CASE("with shard limits, PutRecords puts the records that fit and refuses the others in their entries") {
  millrace::lines::EpochMs now = 1'800'000'000'000;
  millrace::serve::ShardLimits limits(millrace::serve::ShardRates{3, 1 << 20, 1000}, [&now] { return now; });
  Api api(&limits);
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  std::string records;
  for (int i = 0; i < 5; ++i)
    records += std::string(i ? "," : "") + R"({"PartitionKey":"k)" + std::to_string(i) + R"(","Data":")" + kHelloBase64 + "\"}";
  std::string request = R"({"StreamName":"s","Records":[)" + records + "]}";
  auto answer = api.call("PutRecords", request);
  CHECK(answer["FailedRecordCount"].get_int64().value() == 2);
  auto entries = answer["Records"].get_array();
  REQUIRE(entries.size() == 5);
  for (std::size_t i = 0; i < 3; ++i) CHECK(str(entries.at(i)["ShardId"]) == "shardId-000000000000");
  for (std::size_t i = 3; i < 5; ++i) {
    CHECK(str(entries.at(i)["ErrorCode"]) == "ProvisionedThroughputExceededException");
    CHECK(str(entries.at(i)["ErrorMessage"]) == "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.");
    CHECK(entries.at(i)["SequenceNumber"].error());
  }
  CHECK(str(answer["EncryptionType"]) == "NONE");
  // Every record refused: answered without a commit.
  auto refused = api.call("PutRecords", request);
  CHECK(refused["FailedRecordCount"].get_int64().value() == 5);
  now += 1000;
  CHECK(api.call("PutRecords", request)["FailedRecordCount"].get_int64().value() == 2);
  // 6 records put in all: the shard's counter says so.
  auto iterator = api.call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  std::string get = R"({"ShardIterator":")" + str(iterator["ShardIterator"]) + "\"}";
  CHECK(api.call("GetRecords", get)["Records"].get_array().size() == 6);
}

TEST_CASE("put records are marked JSON as ks-put marks them; their arrival is epoch seconds with milliseconds") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":1})");
  // {"n":123456789012345678901234567890} (an integer beyond 64 bits: JSON still), abc, {"a":
  // (cut short), and no data at all.
  millrace::lines::EpochMs before = millrace::lines::now_ms();
  api.call("PutRecords", R"({"StreamName":"s","Records":[)"
                         R"({"PartitionKey":"a","Data":"eyJuIjoxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTB9"},)"
                         R"({"PartitionKey":"b","Data":"YWJj"},)"
                         R"({"PartitionKey":"c","Data":"eyJhIjo="},)"
                         R"({"PartitionKey":"d","Data":""}]})");
  api.call("PutRecord", R"({"StreamName":"s","PartitionKey":"e","Data":"WzEsMiwzXQ=="})");  // [1,2,3]
  millrace::lines::EpochMs after = millrace::lines::now_ms();

  std::vector<bool> json;
  {
    store::ReadTxn reader(api.env());
    const store::Txn& txn = reader.renew();
    auto stream = store::find_stream(txn, "s");
    REQUIRE(stream);
    store::ShardCursor cursor(txn, stream->id, 0);
    for (bool ok = cursor.seek(0); ok; ok = cursor.next()) json.push_back(cursor.record().json);
  }
  CHECK(json == std::vector<bool>{true, false, false, false, true});

  auto iterator = str(api.call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})")["ShardIterator"]);
  api.call("GetRecords", R"({"ShardIterator":")" + iterator + R"("})");
  std::smatch arrival;
  std::string body = api.last();
  REQUIRE(std::regex_search(body, arrival, std::regex(R"re("ApproximateArrivalTimestamp":([0-9]+)\.([0-9]{3})[,}])re")));
  millrace::lines::EpochMs ms = std::stoll(arrival[1].str()) * 1000 + std::stoll(arrival[2].str());
  CHECK(ms >= before);
  CHECK(ms <= after);
}

TEST_CASE("AT_TRIM_HORIZON lists the shards open at the trim horizon: a split's parent, not its children") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":2})");
  api.call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000001","NewStartingHashKey":"255211775190703847597530955573826158592"})");
  auto ids = [&](const std::string& filter) {
    std::string out;
    for (auto shard : api.call("ListShards", R"({"StreamName":"s","ShardFilter":)" + filter + "}")["Shards"].get_array())
      out += str(shard["ShardId"]).substr(17) + " ";  // the last three digits
    return out;
  };
  // The stream is younger than its retention: its trim horizon is its creation, when 0 and 1 were open.
  CHECK(ids(R"({"Type":"AT_TRIM_HORIZON"})") == "000 001 ");
  CHECK(ids(R"({"Type":"FROM_TRIM_HORIZON"})") == "000 001 002 003 ");
  CHECK(ids(R"({"Type":"AT_LATEST"})") == "000 002 003 ");
}

TEST_CASE("shards and sequence numbers that are not there are refused in Kinesis' words") {
  Api api;
  api.call("CreateStream", R"({"StreamName":"s","ShardCount":2})");
  CHECK(api.error("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000009","NewStartingHashKey":"1"})") ==
        "ResourceNotFoundException: Could not find shard shardId-000000000009 in stream s under account 000000000000.");
  CHECK(api.error("MergeShards", R"({"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000007"})") ==
        "ResourceNotFoundException: Could not find shard shardId-000000000007 in stream s under account 000000000000.");
  CHECK(api.error("MergeShards", R"({"StreamName":"none","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"})") ==
        "ResourceNotFoundException: Stream none under account 000000000000 not found.");

  auto iterator = [&](const std::string& type, const std::string& extra) {
    return api.error("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":")" + type + "\"" + extra + "}");
  };
  CHECK(iterator("AFTER_SEQUENCE_NUMBER", "") ==
        "InvalidArgumentException: Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
        "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AFTER_SEQUENCE_NUMBER and no "
        "StartingSequenceNumber.");
  CHECK(iterator("LATEST", R"(,"StartingSequenceNumber":"10000000000000001")") ==
        "InvalidArgumentException: Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
        "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified LATEST and also a StartingSequenceNumber.");
  CHECK(iterator("AT_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":"1")") ==
        "InvalidArgumentException: StartingSequenceNumber 1 used in GetShardIterator on shard shardId-000000000000 in stream s "
        "under account 000000000000 is invalid.");
  CHECK(iterator("AT_SEQUENCE_NUMBER", R"(,"StartingSequenceNumber":"20000000000000001")") ==
        "InvalidArgumentException: Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call "
        "to a shard with shardId-000000000000");
}
