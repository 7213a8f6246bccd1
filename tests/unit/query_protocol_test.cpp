#include "aws/query_protocol.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <ctime>
#include <string>

using namespace millrace::aws;

namespace {

// The JSON input that decode_query makes of `form`, parsed; fails the test on an error.
simdjson::dom::element decoded(simdjson::dom::parser& parser, std::string_view form, std::string& json) {
  auto call = decode_query(model::cloudwatch, form);
  REQUIRE(std::holds_alternative<QueryCall>(call));
  json = std::get<QueryCall>(call).json;
  simdjson::dom::element root;
  REQUIRE(!parser.parse(json).get(root));
  return root;
}

double epoch_seconds(int year, int month, int day, int hour) {
  std::tm tm{};
  tm.tm_year = year - 1900, tm.tm_mon = month - 1, tm.tm_mday = day, tm.tm_hour = hour;
  return static_cast<double>(timegm(&tm));
}

}  // namespace

TEST_CASE("a query-protocol form becomes the JSON input of its operation, lists and structures by the model") {
  // As botocore's query serializer writes GetMetricData for the aws CLI.
  std::string form =
      "Action=GetMetricData&Version=2010-08-01"
      "&MetricDataQueries.member.1.Id=m1"
      "&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FKinesis"
      "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=IncomingRecords"
      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=StreamName"
      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=wild+rydes%2B1"
      "&MetricDataQueries.member.1.MetricStat.Period=60"
      "&MetricDataQueries.member.1.MetricStat.Stat=Sum"
      "&MetricDataQueries.member.1.ReturnData=true"
      "&MetricDataQueries.member.2.Id=m2"
      "&MetricDataQueries.member.2.Expression=m1%2A2"
      "&StartTime=2026-12-07T10%3A00%3A00Z&EndTime=2026-12-07T11%3A00%3A00.500Z";
  simdjson::dom::parser parser;
  std::string json;
  simdjson::dom::element input = decoded(parser, form, json);
  CAPTURE(json);
  simdjson::dom::array queries = input["MetricDataQueries"].get_array();
  CHECK(queries.size() == 2);
  simdjson::dom::element first = queries.at(0);
  CHECK(std::string_view(first["Id"]) == "m1");
  CHECK(std::string_view(first["MetricStat"]["Metric"]["Namespace"]) == "AWS/Kinesis");
  CHECK(std::string_view(first["MetricStat"]["Metric"]["Dimensions"].at(0)["Value"]) == "wild rydes+1");
  CHECK(int64_t(first["MetricStat"]["Period"]) == 60);
  CHECK(bool(first["ReturnData"]) == true);
  CHECK(std::string_view(queries.at(1)["Expression"]) == "m1*2");
  CHECK(double(input["StartTime"]) == epoch_seconds(2026, 12, 7, 10));
  CHECK(double(input["EndTime"]) == epoch_seconds(2026, 12, 7, 11) + 0.5);
  // Members not in the form are not in the JSON.
  CHECK(input["NextToken"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("an empty list is 'Name=' in a query form") {
  simdjson::dom::parser parser;
  std::string json;
  simdjson::dom::element input = decoded(parser, "Action=ListMetrics&Dimensions=&Namespace=AWS%2FLambda", json);
  CHECK(input["Dimensions"].get_array().size() == 0);
  CHECK(std::string_view(input["Namespace"]) == "AWS/Lambda");
}

TEST_CASE("a query form that names no operation, an unknown one, a bad number or text that is not UTF-8 is refused with the member's path") {
  auto error_of = [](std::string_view form) {
    auto call = decode_query(model::cloudwatch, form);
    REQUIRE(std::holds_alternative<ApiError>(call));
    return std::get<ApiError>(call);
  };
  CHECK(error_of("Version=2010-08-01").type == "MissingAction");
  CHECK(error_of("Action=PutRecord").type == "InvalidAction");
  ApiError bad = error_of("Action=GetMetricData&MetricDataQueries.member.1.MetricStat.Period=sixty");
  CHECK(bad.type == "MalformedInput");
  CHECK(bad.message.find("MetricDataQueries.member.1.MetricStat.Period") != std::string::npos);
  CHECK(error_of("Action=GetMetricData&StartTime=yesterday").message.find("StartTime") != std::string::npos);
  ApiError not_utf8 = error_of("Action=ListMetrics&Namespace=%A7AWS%2FLambda");
  CHECK(not_utf8.type == "MalformedInput");
  CHECK(not_utf8.message.find("Namespace") != std::string::npos);
  CHECK(error_of("Action=ListMetrics&Name%FFspace=AWS").type == "MalformedInput");
}

TEST_CASE("the JSON output of an operation becomes the query protocol's XML answer") {
  const model::Operation* operation = model::cloudwatch.operation("GetMetricData");
  REQUIRE(operation != nullptr);
  std::string json = R"({"MetricDataResults":[{"Id":"m1","Label":"a<b & c","Timestamps":[1796637600,1796637660.5],)"
                     R"("Values":[3,4.25],"StatusCode":"Complete","Unknown":1}],"Messages":[]})";
  std::string want =
      "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
      "<GetMetricDataResult><MetricDataResults><member><Id>m1</Id><Label>a&lt;b &amp; c</Label>"
      "<Timestamps><member>2026-12-07T10:00:00.000Z</member><member>2026-12-07T10:01:00.500Z</member></Timestamps>"
      "<Values><member>3</member><member>4.25</member></Values><StatusCode>Complete</StatusCode></member>"
      "</MetricDataResults><Messages></Messages></GetMetricDataResult>"
      "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetMetricDataResponse>";
  CHECK(encode_query_answer(model::cloudwatch, *operation, json, "r-1") == want);
}

TEST_CASE("an error answer of the query protocol names its code, and Receiver for the server's faults") {
  std::string sender = encode_query_error(model::cloudwatch, ApiError{400, "InvalidParameterValueException", "bad 'x'"}, "r-2");
  CHECK(sender ==
        "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type>"
        "<Code>InvalidParameterValue</Code><Message>bad &apos;x&apos;</Message></Error><RequestId>r-2</RequestId>"
        "</ErrorResponse>");
  std::string receiver = encode_query_error(model::cloudwatch, ApiError{500, "InternalServiceFault", "x"}, "r");
  CHECK(receiver.find("<Type>Receiver</Type><Code>InternalServiceError</Code>") != std::string::npos);
  CHECK(query_error_code(model::cloudwatch, "ValidationException") == "ValidationError");
  CHECK(query_error_code(model::cloudwatch, "MalformedInput") == "MalformedInput");
}

TEST_CASE("a form's numbers become JSON numbers: leading zeros dropped, what JSON cannot write refused") {
  simdjson::dom::parser parser;
  std::string json;
  auto root = decoded(parser, "Action=GetMetricStatistics&Period=060&StartTime=0100&EndTime=2.50", json);
  CHECK(std::int64_t(root["Period"]) == 60);
  CHECK(double(root["StartTime"]) == 100);
  CHECK(double(root["EndTime"]) == 2.5);
  for (std::string_view form : {"Action=GetMetricStatistics&Period=6.0", "Action=GetMetricStatistics&StartTime=inf",
                                "Action=GetMetricStatistics&StartTime=nan"}) {
    CAPTURE(form);
    auto call = decode_query(model::cloudwatch, form);
    REQUIRE(std::holds_alternative<ApiError>(call));
    CHECK(std::get<ApiError>(call).type == "MalformedInput");
  }
}
