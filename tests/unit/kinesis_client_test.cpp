#include "aws/kinesis_client.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/error.h"
#include "error_status.h"

using namespace millrace;
using millrace::test::error_status;

TEST_CASE("DescribeStreamSummary's answer gives the status, retention, creation and open shards") {
  simdjson::dom::parser parser;
  // Every member of botocore's DescribeStreamSummaryOutput, the time in epoch seconds.
  aws::StreamSummary summary = aws::read_stream_summary_answer(parser, R"({"StreamDescriptionSummary":{
      "StreamName":"rides","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/rides","StreamStatus":"UPDATING",
      "StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":168,
      "StreamCreationTimestamp":1700000000.25,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],
      "EncryptionType":"NONE","OpenShardCount":4,"ConsumerCount":0}})", "e");
  CHECK(summary.name == "rides");
  CHECK(summary.status == "UPDATING");
  CHECK(summary.retention_hours == 168);
  CHECK(summary.created_ms == 1'700'000'000'250);
  CHECK(summary.open_shards == 4);
  // A creation time out of range is not known (0); the members the model requires are required.
  CHECK(aws::read_stream_summary_answer(parser, R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE",
      "RetentionPeriodHours":24,"OpenShardCount":0,"StreamCreationTimestamp":-5}})", "e").created_ms == 0);
  for (const char* body : {R"({})", R"({"StreamDescriptionSummary":{"RetentionPeriodHours":24,"OpenShardCount":1}})",
                           R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE","RetentionPeriodHours":0,"OpenShardCount":1}})",
                           R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE","RetentionPeriodHours":24,"OpenShardCount":-1}})",
                           R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE","RetentionPeriodHours":24}})", "[]", "not json"})
    CHECK_MESSAGE(error_status([&] { aws::read_stream_summary_answer(parser, body, "e"); }) == cli::Exit::unavailable, body);
}

TEST_CASE("ListStreams' answer gives its names, its NextToken and whether more follow") {
  simdjson::dom::parser parser;
  std::vector<std::string> names = {"first"};
  std::string token;
  CHECK(aws::read_list_streams_answer(parser, R"({"StreamNames":["a","b"],"HasMoreStreams":true,"NextToken":"t2",
      "StreamSummaries":[]})", names, token, "e"));
  CHECK(names == std::vector<std::string>{"first", "a", "b"});
  CHECK(token == "t2");
  // The last page, and an endpoint of before NextToken.
  CHECK_FALSE(aws::read_list_streams_answer(parser, R"({"StreamNames":[],"HasMoreStreams":false})", names, token, "e"));
  CHECK(token.empty());
  CHECK(names.size() == 3);
  CHECK(error_status([&] { aws::read_list_streams_answer(parser, R"({"HasMoreStreams":false})", names, token, "e"); }) ==
        cli::Exit::unavailable);
  CHECK(error_status([&] { aws::read_list_streams_answer(parser, R"({"StreamNames":[1]})", names, token, "e"); }) ==
        cli::Exit::unavailable);
}
