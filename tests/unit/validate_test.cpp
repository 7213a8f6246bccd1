#include "aws/validate.h"

#include <doctest/doctest.h>

#include <string>

using millrace::aws::ApiError;
using millrace::aws::validate;
namespace model = millrace::aws::model;

namespace {

// The answer to `body` as the input of the Kinesis operation `name`.
std::optional<ApiError> kinesis(std::string_view name, const std::string& body) {
  static simdjson::dom::parser parser;
  const model::Operation* operation = model::kinesis.operation(name);
  REQUIRE(operation != nullptr);
  return validate(model::kinesis, *operation, parser.parse(body));
}

std::string message(const std::optional<ApiError>& error) { return error ? error->type + ": " + error->message : "ok"; }

}  // namespace

TEST_CASE("the Kinesis model has the operations of the API, found by name") {
  for (const char* name : {"CreateStream", "PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "ListShards",
                           "SplitShard", "MergeShards", "UpdateShardCount", "AddTagsToStream"})
    CHECK(model::kinesis.operation(name) != nullptr);
  CHECK(model::kinesis.operation("PutRecordz") == nullptr);
  CHECK(model::kinesis.target_prefix == "Kinesis_20131202");
  CHECK(model::kinesis.json_version == "1.1");
}

TEST_CASE("valid requests pass") {
  CHECK(message(kinesis("PutRecord", R"({"StreamName":"rides","Data":"eyJhIjoxfQ==","PartitionKey":"k"})")) == "ok");
  CHECK(message(kinesis("PutRecords", R"({"StreamName":"rides","Records":[{"Data":"","PartitionKey":"k"}]})")) == "ok");
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":10000,"Unknown":[1,2]})")) == "ok");
  CHECK(message(kinesis("ListStreams", R"({})")) == "ok");
  CHECK(message(kinesis("AddTagsToStream", R"({"StreamName":"s","Tags":{"team":"data"}})")) == "ok");
}

TEST_CASE("a missing required member is named, with AWS's words and count") {
  CHECK(message(kinesis("GetRecords", R"({"Limit":5})")) ==
        "ValidationException: 1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: "
        "Member must not be null");
  CHECK(message(kinesis("PutRecord", R"({"StreamName":"s"})")) ==
        "ValidationException: 2 validation errors detected: Value null at 'data' failed to satisfy constraint: "
        "Member must not be null; Value null at 'partitionKey' failed to satisfy constraint: Member must not be null");
}

TEST_CASE("a stream's ARN stands for its name, as the SDKs of today send it") {
  CHECK(message(kinesis("PutRecord", R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/rides","Data":"","PartitionKey":"k"})")) ==
        "ok");
  CHECK(message(kinesis("PutRecord", R"({"StreamARN":"arn:aws:kinesis:us-east-1:12:stream/rides","Data":"","PartitionKey":"k"})"))
            .find("at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern") != std::string::npos);
}

TEST_CASE("lengths, values, patterns and enums come from the model") {
  std::string long_name(129, 'a');
  CHECK(message(kinesis("DescribeStreamSummary", R"({"StreamName":")" + long_name + R"("})")) ==
        "ValidationException: 1 validation error detected: Value '" + long_name +
            "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128");
  CHECK(message(kinesis("DescribeStreamSummary", R"({"StreamName":"a b"})")) ==
        "ValidationException: 1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":0})")) ==
        "ValidationException: 1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1");
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":10001})")).find("less than or equal to 10000") !=
        std::string::npos);
  CHECK(message(kinesis("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"})")) ==
        "ValidationException: 1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, "
        "LATEST, AT_TIMESTAMP]");
  // A hash key is at most 39 digits, without leading zeros.
  CHECK(message(kinesis("PutRecord", R"({"StreamName":"s","Data":"","PartitionKey":"k","ExplicitHashKey":"012"})"))
            .find("at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern") !=
        std::string::npos);
}

TEST_CASE("list elements are named by their index, and list lengths are checked") {
  CHECK(message(kinesis("PutRecords", R"({"StreamName":"s","Records":[{"Data":"","PartitionKey":"k"},{"Data":""}]})")) ==
        "ValidationException: 1 validation error detected: Value null at 'records.2.member.partitionKey' failed to "
        "satisfy constraint: Member must not be null");
  CHECK(message(kinesis("PutRecords", R"({"StreamName":"s","Records":[]})")) ==
        "ValidationException: 1 validation error detected: Value '[...]' at 'records' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1");
  std::string records;
  for (int i = 0; i < 501; ++i) records += std::string(i ? "," : "") + R"({"Data":"","PartitionKey":"k"})";
  CHECK(message(kinesis("PutRecords", R"({"StreamName":"s","Records":[)" + records + "]}")).find(
            "Member must have length less than or equal to 500") != std::string::npos);
}

TEST_CASE("blobs are measured in decoded bytes") {
  auto decoded = [](const std::string& b64) {
    std::size_t pad = b64.size() >= 2 && b64[b64.size() - 2] == '=' ? 2 : (b64.back() == '=' ? 1 : 0);
    return b64.size() / 4 * 3 - pad;
  };
  std::string max_blob(1048576 / 3 * 4, 'A');  // 1048575 bytes: 349525 groups
  max_blob += "AA==";                          // + 1 byte = 1048576
  REQUIRE(decoded(max_blob) == 1048576);
  CHECK(message(kinesis("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":")" + max_blob + R"("})")) == "ok");
  std::string over = max_blob.substr(0, max_blob.size() - 4) + "AAA=";  // 1048577 bytes
  REQUIRE(decoded(over) == 1048577);
  CHECK(message(kinesis("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":")" + over + R"("})")).find(
            "at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576") !=
        std::string::npos);
}

TEST_CASE("a member of the wrong JSON type is a SerializationException naming it") {
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":"10"})")) ==
        "SerializationException: 'limit' must be an integer, not a string");
  CHECK(message(kinesis("PutRecords", R"({"StreamName":"s","Records":{"Data":""}})")) ==
        "SerializationException: 'records' must be a list, not an object");
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":99999999999})")) ==
        "SerializationException: 'limit' is out of range of an integer");
  CHECK(message(kinesis("GetRecords", R"({"ShardIterator":"x","Limit":1.5})")) ==
        "SerializationException: 'limit' must be an integer, not a fraction");
  CHECK(message(kinesis("ListStreams", R"([1])")) == "SerializationException: the request must be an object, not a list");
  std::string deep = R"({"StreamName":"s","Tags":)";
  CHECK(message(kinesis("AddTagsToStream", deep + R"({"a":{"b":1}}})")) ==
        "SerializationException: 'tags.a.value' must be a string, not an object");
}

TEST_CASE("a member of a megabyte meets its pattern as a short one does") {
  // A stream name far past its length, checked against [a-zA-Z0-9_.-]+ all the same: a
  // backtracking matcher recurses once per character here and overflows the stack.
  std::string name(1 << 20, 'a');
  std::string answer = message(kinesis("DescribeStreamSummary", R"({"StreamName":")" + name + R"("})"));
  CHECK(answer.find("Member must have length less than or equal to 128") != std::string::npos);
  CHECK(answer.find("regular expression pattern") == std::string::npos);
  name.back() = ' ';
  answer = message(kinesis("DescribeStreamSummary", R"({"StreamName":")" + name + R"("})"));
  CHECK(answer.find("ValidationException: 2 validation errors detected") == 0);
  CHECK(answer.find("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+") != std::string::npos);
}

namespace {

std::optional<ApiError> dynamodb(std::string_view name, const std::string& body) {
  static simdjson::dom::parser parser;
  const model::Operation* operation = model::dynamodb.operation(name);
  REQUIRE(operation != nullptr);
  return validate(model::dynamodb, *operation, parser.parse(body));
}

}  // namespace

TEST_CASE("the DynamoDB model: its operations, JSON 1.0, and DynamoDB's texts for what it refuses") {
  CHECK(model::dynamodb.target_prefix == "DynamoDB_20120810");
  CHECK(model::dynamodb.json_version == "1.0");
  for (const char* name : {"CreateTable", "PutItem", "GetItem", "Query", "Scan", "BatchWriteItem", "BatchGetItem",
                           "UpdateTimeToLive", "TagResource", "TransactWriteItems"})
    CHECK(model::dynamodb.operation(name) != nullptr);
  // The model's constraints, named as DynamoDB names members (TableName: 3 to 255 characters).
  CHECK(message(dynamodb("DescribeTable", R"({"TableName":"x"})")) ==
        "ValidationException: 1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3");
  CHECK(message(dynamodb("DescribeTable", R"({"TableName":"a b"})")) ==
        "ValidationException: 1 validation error detected: Value 'a b' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  CHECK(message(dynamodb("ListTables", R"({"Limit":101})")) ==
        "ValidationException: 1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100");
  CHECK(message(dynamodb("Scan", R"({"TableName":"rides","Select":"SOME"})")) ==
        "ValidationException: 1 validation error detected: Value 'SOME' at 'select' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]");
  CHECK(message(dynamodb("PutItem", R"({"TableName":"rides"})")) ==
        "ValidationException: 1 validation error detected: Value null at 'item' failed to satisfy constraint: "
        "Member must not be null");
  CHECK(message(dynamodb("PutItem", R"({"TableName":"rides","Item":{"k":{"S":1}}})")).starts_with("SerializationException: "));
  CHECK(message(dynamodb("PutItem", R"({"TableName":"rides","Item":{"k":{"S":"a"},"n":{"N":"1"}}})")) == "ok");
}

TEST_CASE("an item nested as deep as DynamoDB allows is the conversion's to judge, not refused as too deep") {
  std::string value = R"({"S":"x"})";
  for (int i = 0; i < 40; ++i) value = R"({"M":{"a":)" + value + "}}";
  CHECK(message(dynamodb("BatchWriteItem", R"({"RequestItems":{"rides":[{"PutRequest":{"Item":{"k":)" + value + "}}}]}}")) ==
        "ok");
}
