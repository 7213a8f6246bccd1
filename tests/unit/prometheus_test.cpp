#include "metrics/prometheus.h"

#include <doctest/doctest.h>

#include <vector>

using namespace millrace::metrics;

namespace {

StatisticSet samples(std::initializer_list<double> values) {
  StatisticSet set;
  for (double v : values) set.add(v);
  return set;
}

}  // namespace

TEST_CASE("a CloudWatch metric's Prometheus name is its namespace and name in snake case, with its unit's suffix") {
  CHECK(prometheus_name(MetricId("AWS/Kinesis", "IncomingRecords"), Unit::count) == "aws_kinesis_incoming_records_total");
  CHECK(prometheus_name(MetricId("AWS/Kinesis", "IncomingBytes"), Unit::bytes) == "aws_kinesis_incoming_bytes_total");
  CHECK(prometheus_name(MetricId("AWS/Kinesis", "PutRecords.Records"), Unit::count) == "aws_kinesis_put_records_records_total");
  CHECK(prometheus_name(MetricId("AWS/Firehose", "DeliveryToS3.Bytes"), Unit::bytes) == "aws_firehose_delivery_to_s3_bytes_total");
  CHECK(prometheus_name(MetricId("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds"), Unit::milliseconds) ==
        "aws_kinesis_get_records_iterator_age_seconds");
  CHECK(prometheus_name(MetricId("AWS/Lambda", "Duration"), Unit::milliseconds) == "aws_lambda_duration_seconds");
  CHECK(prometheus_name(MetricId("AWS/DynamoDB", "ConsumedWriteCapacityUnits"), Unit::count) ==
        "aws_dynamodb_consumed_write_capacity_units_total");
  CHECK(prometheus_name(MetricId("AWS/Firehose", "DeliveryToS3.DataFreshness"), Unit::seconds) ==
        "aws_firehose_delivery_to_s3_data_freshness_seconds");
}

TEST_CASE("counters give their sum, times a summary in seconds, each family once with HELP and TYPE") {
  std::vector<Exposed> metrics = {
      {MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}), Unit::count, samples({3, 4})},
      {MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "a\"b\\c"}}), Unit::count, samples({1})},
      {MetricId("AWS/Lambda", "Duration", {{"FunctionName", "g"}}), Unit::milliseconds, samples({250, 1250})},
  };
  CHECK(prometheus_text(metrics) ==
        "# HELP aws_kinesis_incoming_records_total CloudWatch's AWS/Kinesis IncomingRecords (Count), since recording began.\n"
        "# TYPE aws_kinesis_incoming_records_total counter\n"
        "aws_kinesis_incoming_records_total{stream_name=\"rides\"} 7\n"
        "aws_kinesis_incoming_records_total{stream_name=\"a\\\"b\\\\c\"} 1\n"
        "# HELP aws_lambda_duration_seconds CloudWatch's AWS/Lambda Duration (Milliseconds), since recording began.\n"
        "# TYPE aws_lambda_duration_seconds summary\n"
        "aws_lambda_duration_seconds_sum{function_name=\"g\"} 1.5\n"
        "aws_lambda_duration_seconds_count{function_name=\"g\"} 2\n");
}
