#include "stream/formats.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "lines/json.h"
#include "lines/reader.h"
#include "scoped_env.h"

using namespace millrace;
using namespace millrace::stream;

namespace {

// Shard 2, counter 7: sequence number "3" then the counter in 16 digits. 1795428000123 ms is
// 2026-11-23T10:00:00.123Z.
store::Record record(std::string_view data, bool json, std::string_view pk = "Shadowfax") {
  return store::Record{{2, 7}, 1795428000123, pk, data, json};
}

// The Lambda event of one record.
std::string event_of(const store::Record& r, const std::string& stream = "rides") {
  LambdaEvent event(Source{stream, std::nullopt});
  std::string out;
  event.begin(out);
  event.add(out, r, true);
  event.end(out);
  return out;
}

// The text of a field of a JSON document, read with the validator.
std::string field_of(const std::string& json, std::string_view pointer) {
  std::string padded = json;
  padded.append(lines::kPadding, '\0');
  lines::Validator validator;
  REQUIRE(validator.parse({padded.data(), json.size()}) == simdjson::SUCCESS);
  std::string scratch;
  lines::FieldText text = validator.field_text(lines::Field(std::string(pointer)), scratch);
  REQUIRE(text.status == lines::FieldText::Status::ok);
  return std::string(text.text);
}

std::string base64_of(std::string_view data) { return field_of(event_of(record(data, false)), "/Records/0/kinesis/data"); }

}  // namespace

TEST_CASE("data format is the record's bytes and a newline") {
  std::string out = "before\n";
  append_data(out, record(R"({"a" : 1})", true));
  append_data(out, record("not json", false));
  CHECK(out == "before\n{\"a\" : 1}\nnot json\n");
}

TEST_CASE("an envelope names stream, shard, sequence number, key and time, with the JSON data as is") {
  std::string out;
  append_envelope(out, record(R"({"a" : [1, 2.50]})", true), Source{"rides", std::nullopt});
  CHECK(out ==
        R"({"stream":"rides","shard":"shardId-000000000002","seq":"30000000000000007","pk":"Shadowfax",)"
        R"("ts":"2026-11-23T10:00:00.123Z","data":{"a" : [1, 2.50]}})"
        "\n");
}

TEST_CASE("an envelope of a group names the group after the stream") {
  std::string out;
  append_envelope(out, record("1", true), Source{"rides", std::string("billing")});
  CHECK(out ==
        R"({"stream":"rides","group":"billing","shard":"shardId-000000000002","seq":"30000000000000007",)"
        R"("pk":"Shadowfax","ts":"2026-11-23T10:00:00.123Z","data":1})"
        "\n");
}

TEST_CASE("an envelope holds data that is not JSON as a JSON string, and escapes the key") {
  std::string out;
  append_envelope(out, record("say \"hi\"\n\x01", false, "k\"ey"), Source{"s", std::nullopt});
  CHECK(out ==
        R"({"stream":"s","shard":"shardId-000000000002","seq":"30000000000000007","pk":"k\"ey",)"
        R"("ts":"2026-11-23T10:00:00.123Z","data":"say \"hi\"\n\u0001"})"
        "\n");
}

TEST_CASE("a Lambda event carries the data in base64") {
  CHECK(base64_of("Hello, this is a test.") == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==");
  CHECK(base64_of("") == "");
  CHECK(base64_of("a") == "YQ==");
  CHECK(base64_of("ab") == "YWI=");
  CHECK(base64_of("abc") == "YWJj");
  CHECK(base64_of("\xff\xfe") == "//4=");
  CHECK(base64_of(std::string_view("\0\0\0", 3)) == "AAAA");
  // A long record: 3000 bytes are 4000 characters, no line breaks.
  std::string long_data(3000, 'x');
  std::string encoded = base64_of(long_data);
  CHECK(encoded.size() == 4000);
  CHECK(encoded.find('\n') == std::string::npos);
  CHECK(encoded.substr(0, 8) == "eHh4eHh4");
}

TEST_CASE("a Lambda event has the fields of Lambda's Kinesis event source") {
  std::string event = event_of(record(R"({"a":1})", true));
  CHECK(field_of(event, "/Records/0/kinesis/kinesisSchemaVersion") == "1.0");
  CHECK(field_of(event, "/Records/0/kinesis/partitionKey") == "Shadowfax");
  CHECK(field_of(event, "/Records/0/kinesis/sequenceNumber") == "30000000000000007");
  CHECK(field_of(event, "/Records/0/kinesis/data") == "eyJhIjoxfQ==");
  CHECK(field_of(event, "/Records/0/eventSource") == "aws:kinesis");
  CHECK(field_of(event, "/Records/0/eventVersion") == "1.0");
  CHECK(field_of(event, "/Records/0/eventName") == "aws:kinesis:record");
  CHECK(field_of(event, "/Records/0/eventID") == "shardId-000000000002:30000000000000007");
  std::string arn = field_of(event, "/Records/0/eventSourceARN");
  CHECK(arn.starts_with("arn:aws:kinesis:"));
  CHECK(arn.ends_with(":stream/rides"));
  CHECK(event.ends_with("]}\n"));
}

using test::ScopedEnv;

TEST_CASE("a Lambda event names the region of AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1") {
  auto region_of = [](const char* region, const char* default_region) {
    ScopedEnv a("AWS_REGION", region), b("AWS_DEFAULT_REGION", default_region);
    std::string event = event_of(record("x", false));
    std::string name = field_of(event, "/Records/0/awsRegion");
    CHECK(field_of(event, "/Records/0/eventSourceARN") == "arn:aws:kinesis:" + name + ":000000000000:stream/rides");
    return name;
  };
  CHECK(region_of("eu-west-3", "us-west-1") == "eu-west-3");
  CHECK(region_of(nullptr, "us-west-1") == "us-west-1");
  CHECK(region_of("", "ap-south-1") == "ap-south-1");  // empty counts as unset
  CHECK(region_of(nullptr, nullptr) == "us-east-1");
}

TEST_CASE("approximateArrivalTimestamp is in seconds with three decimals") {
  CHECK(event_of(record("x", false)).find(R"("approximateArrivalTimestamp":1795428000.123})") != std::string::npos);
  store::Record early{{0, 1}, 1795428000005, "k", "x", false};
  CHECK(event_of(early).find(R"("approximateArrivalTimestamp":1795428000.005})") != std::string::npos);
  store::Record whole{{0, 1}, 1795428000000, "k", "x", false};
  CHECK(event_of(whole).find(R"("approximateArrivalTimestamp":1795428000.000})") != std::string::npos);
}

TEST_CASE("a Lambda event of several records is one JSON document with the records in order") {
  LambdaEvent event(Source{"rides", std::string("g")});
  std::string out;
  event.begin(out);
  store::Record first{{0, 1}, 1000, "a", "one", false};
  store::Record second{{1, 9}, 2000, "b\"", "two", false};
  event.add(out, first, true);
  event.add(out, second, false);
  event.end(out);
  REQUIRE(out.ends_with("\n"));
  out.pop_back();
  CHECK(field_of(out, "/Records/0/kinesis/partitionKey") == "a");
  CHECK(field_of(out, "/Records/1/kinesis/partitionKey") == "b\"");
  CHECK(field_of(out, "/Records/1/kinesis/data") == "dHdv");
  CHECK(field_of(out, "/Records/1/eventID") == "shardId-000000000001:20000000000000009");
  std::string padded = out + std::string(lines::kPadding, '\0');
  lines::Validator validator;
  CHECK(validator.parse({padded.data(), out.size()}) == simdjson::SUCCESS);
  std::string scratch;
  CHECK(validator.field_text(lines::Field("/Records/2"), scratch).status == lines::FieldText::Status::missing);
}

TEST_CASE("a record read from an endpoint comes out as a local one, with the service's shard and sequence") {
  std::string kinesis_seq = "49546986683135544286507457936321625675700192471156785154";
  RemoteRecord remote{"shardId-000000000002", kinesis_seq, "Shadowfax", R"({"a":1})", 1795428000123, true};
  std::string out;
  append_envelope(out, remote, Source{"rides", std::nullopt});
  CHECK(out == R"({"stream":"rides","shard":"shardId-000000000002","seq":")" + kinesis_seq +
                   R"(","pk":"Shadowfax","ts":"2026-11-23T10:00:00.123Z","data":{"a":1}})" "\n");
  out.clear();
  remote.json = false;
  remote.data = "not json";
  append_envelope(out, remote, Source{"rides", std::nullopt});
  CHECK(out.ends_with(R"("data":"not json"})" "\n"));
  out.clear();
  append_data(out, remote);
  CHECK(out == "not json\n");
  out.clear();
  LambdaEvent event(Source{"rides", std::nullopt});
  event.add(out, remote, true);
  CHECK(out.find("\"sequenceNumber\":\"" + kinesis_seq + "\"") != std::string::npos);
  CHECK(out.find("\"eventID\":\"shardId-000000000002:" + kinesis_seq + "\"") != std::string::npos);
}
