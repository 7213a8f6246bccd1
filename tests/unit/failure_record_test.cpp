#include "aws/request_id.h"
#include "stream/failure_record.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <set>

using namespace millrace;

namespace {

stream::FailedBatch example_batch() {
  // The values of Lambda's example record (lambda-failure-record.json), times as epoch ms:
  // 2019-11-14T00:38:04.835Z = 1573691884835 (date -ud 2019-11-14T00:38:04Z +%s, then .835).
  stream::FailedBatch batch;
  batch.function = "myfunction";
  batch.region = "us-east-2";
  batch.stream = "mystream";
  batch.shard_id = "shardId-000000000001";
  batch.start_sequence = "20000000000000001";
  batch.end_sequence = "20000000000000500";
  batch.first_arrival_ms = 1573691884835;
  batch.last_arrival_ms = 1573691885580;
  batch.now_ms = 1573691886021;
  batch.batch_size = 500;
  batch.invoke_count = 1;
  batch.condition = std::string(stream::kRetryAttemptsExhausted);
  batch.function_error = std::string(stream::kUnhandled);
  return batch;
}

bool is_uuid_v4(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && std::string_view("0123456789abcdef").find(text[i]) == std::string_view::npos)
      return false;
  }
  return text[14] == '4' && std::string_view("89ab").find(text[19]) != std::string_view::npos;
}

}  // namespace

TEST_CASE("failure record: every field of Lambda's shape, with the batch's values") {
  std::string line = stream::failure_record_json(example_batch());
  CHECK(line.find('\n') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(simdjson::padded_string(line)).get(root) == simdjson::SUCCESS);

  auto text = [&](const char* pointer) {
    std::string_view value;
    CHECK_MESSAGE(root.at_pointer(pointer).get(value) == simdjson::SUCCESS, pointer);
    return std::string(value);
  };
  auto number = [&](const char* pointer) {
    std::int64_t value = -1;
    CHECK_MESSAGE(root.at_pointer(pointer).get(value) == simdjson::SUCCESS, pointer);
    return value;
  };
  CHECK(is_uuid_v4(text("/requestContext/requestId")));
  CHECK(text("/requestContext/functionArn") ==
        "arn:aws:lambda:us-east-2:000000000000:function:myfunction");
  CHECK(text("/requestContext/condition") == "RetryAttemptsExhausted");
  CHECK(number("/requestContext/approximateInvokeCount") == 1);
  CHECK(number("/responseContext/statusCode") == 200);
  CHECK(text("/responseContext/executedVersion") == "$LATEST");
  CHECK(text("/responseContext/functionError") == "Unhandled");
  CHECK(text("/version") == "1.0");
  CHECK(text("/timestamp") == "2019-11-14T00:38:06.021Z");
  CHECK(text("/KinesisBatchInfo/shardId") == "shardId-000000000001");
  CHECK(text("/KinesisBatchInfo/startSequenceNumber") == "20000000000000001");
  CHECK(text("/KinesisBatchInfo/endSequenceNumber") == "20000000000000500");
  CHECK(text("/KinesisBatchInfo/approximateArrivalOfFirstRecord") == "2019-11-14T00:38:04.835Z");
  CHECK(text("/KinesisBatchInfo/approximateArrivalOfLastRecord") == "2019-11-14T00:38:05.580Z");
  CHECK(number("/KinesisBatchInfo/batchSize") == 500);
  CHECK(text("/KinesisBatchInfo/streamArn") ==
        "arn:aws:kinesis:us-east-2:000000000000:stream/mystream");

  // Exactly the members of the shape file, no more.
  auto keys = [&](const char* pointer) {
    std::set<std::string> names;
    simdjson::dom::object object;
    REQUIRE(root.at_pointer(pointer).get(object) == simdjson::SUCCESS);
    for (auto field : object) names.emplace(field.key);
    return names;
  };
  CHECK(keys("") == std::set<std::string>{"requestContext", "responseContext", "version",
                                          "timestamp", "KinesisBatchInfo"});
  CHECK(keys("/requestContext").size() == 4);
  CHECK(keys("/responseContext").size() == 3);
  CHECK(keys("/KinesisBatchInfo").size() == 7);
}

TEST_CASE("failure record: no functionError when the handler did not fail, names escaped") {
  stream::FailedBatch batch = example_batch();
  batch.function_error.clear();
  batch.condition = std::string(stream::kRecordAgeExceeded);
  batch.invoke_count = 0;
  batch.stream = "odd\"name";
  std::string line = stream::failure_record_json(batch);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(simdjson::padded_string(line)).get(root) == simdjson::SUCCESS);
  CHECK(root.at_pointer("/responseContext/functionError").error() == simdjson::NO_SUCH_FIELD);
  std::string_view arn;
  REQUIRE(root.at_pointer("/KinesisBatchInfo/streamArn").get(arn) == simdjson::SUCCESS);
  CHECK(arn == "arn:aws:kinesis:us-east-2:000000000000:stream/odd\"name");
  std::int64_t count = -1;
  CHECK(root.at_pointer("/requestContext/approximateInvokeCount").get(count) == simdjson::SUCCESS);
  CHECK(count == 0);
}

TEST_CASE("failure record: each has its own request id") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = aws::request_id();
    CHECK(is_uuid_v4(id));
    ids.insert(id);
  }
  CHECK(ids.size() == 1000);
}
