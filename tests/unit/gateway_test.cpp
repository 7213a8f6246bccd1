#include "serve/gateway.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <ctime>
#include <future>
#include <map>
#include <string>

#include "store/records.h"
#include "store/sequence.h"
#include "store/streams.h"
#include "stream/admin.h"
#include "aws/text.h"
#include "temp_dir.h"

using millrace::serve::Gateway;
using millrace::serve::HttpAnswer;
using millrace::serve::HttpCall;
using millrace::test::TempDir;
namespace store = millrace::store;

namespace {

class Server {
 public:
  explicit Server(const millrace::serve::GatewayOptions& options = {})
      : env_(dir_ / "store", store::Access::write, store::Sync::none),
        notifier_(env_.dir()),
        gateway_(env_, notifier_, options) {
    millrace::stream::create_stream(env_, "invoices", 1, store::kDefaultRetentionMs);
  }

  HttpAnswer send(std::string method, std::string target, std::string body,
                  std::map<std::string, std::string> headers = {}) {
    std::promise<HttpAnswer> answer;
    std::vector<millrace::aws::HeaderField> fields;
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    HttpCall call{method, target, fields, std::move(body)};
    gateway_.handle(std::move(call), [&answer](HttpAnswer a) { answer.set_value(std::move(a)); });
    return answer.get_future().get();
  }

  // The operation handle() names the request, once it is answered.
  std::string_view operation_of(std::string method, std::string target, std::map<std::string, std::string> headers = {},
                                std::string body = {}) {
    std::promise<void> answered;
    std::vector<millrace::aws::HeaderField> fields;
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    std::string_view operation;
    HttpCall call{method, target, fields, std::move(body), &operation};
    gateway_.handle(std::move(call), [&answered](HttpAnswer) { answered.set_value(); });
    answered.get_future().get();
    return operation;
  }

  // The records of the stream's shard 0: (partition key, data) in order.
  std::vector<std::pair<std::string, std::string>> records() {
    store::ReadTxn reader(env_);
    store::Txn txn = reader.renew();
    auto stream = store::stream_or_throw(txn, "invoices");
    store::ShardCursor cursor(txn, stream.id, 0);
    std::vector<std::pair<std::string, std::string>> out;
    for (bool ok = cursor.seek(1); ok; ok = cursor.next())
      out.emplace_back(cursor.record().partition_key, cursor.record().data);
    return out;
  }

 private:
  TempDir dir_;
  store::Env env_;
  store::Notifier notifier_;
  Gateway gateway_;
};

}  // namespace

TEST_CASE("POST /streams/NAME puts one JSON record, keyed by ?key=FIELD or X-Partition-Key") {
  Server server;
  HttpAnswer one = server.send("POST", "/streams/invoices?key=InvoiceNo", R"({"InvoiceNo":"536365","Quantity":6})");
  CHECK(one.status == 200);
  CHECK(one.body == R"({"ShardId":"shardId-000000000000","SequenceNumber":"10000000000000001"})");
  CHECK(server.send("POST", "/streams/invoices", R"({"n":2})", {{"x-partition-key", "customer-17850"}}).status == 200);
  auto records = server.records();
  REQUIRE(records.size() == 2);
  CHECK(records[0] == std::pair<std::string, std::string>{"536365", R"({"InvoiceNo":"536365","Quantity":6})"});
  CHECK(records[1].first == "customer-17850");
}

TEST_CASE("POST /streams/NAME with JSON lines puts each, and answers PutRecords' shape") {
  Server server;
  HttpAnswer many = server.send("POST", "/streams/invoices?key=id", "{\"id\":\"a\"}\n{\"id\":\"b\"}\r\n\n{\"id\":\"c\"}\n",
                                {{"content-type", "application/x-ndjson"}});
  CHECK(many.status == 200);
  simdjson::dom::parser parser;
  auto answer = parser.parse(many.body).value();
  CHECK(answer["Records"].get_array().size() == 3);
  CHECK(std::string(answer["Records"].at(2)["SequenceNumber"].get_string().value()) == "10000000000000003");
  auto records = server.records();
  REQUIRE(records.size() == 3);
  CHECK(records[1] == std::pair<std::string, std::string>{"b", R"({"id":"b"})"});
}

TEST_CASE("the routes' errors: a bad line named, nothing of the body put; missing streams; other routes") {
  Server server;
  HttpAnswer bad = server.send("POST", "/streams/invoices?key=id", "{\"id\":\"a\"}\n{\"id\":\n",
                               {{"content-type", "application/x-ndjson"}});
  CHECK(bad.status == 400);
  CHECK(bad.body.find("line 2: ") != std::string::npos);
  CHECK(server.records().empty());
  CHECK(server.send("POST", "/streams/invoices?key=id", R"({"other":1})").body.find("no partition key field id") != std::string::npos);
  CHECK(server.send("POST", "/streams/invoices", "{}\n{}").status == 400);  // lines need application/x-ndjson
  HttpAnswer missing = server.send("POST", "/streams/nope", "{}");
  CHECK(missing.status == 404);
  CHECK(missing.body.find("no such stream") != std::string::npos);
  CHECK(server.send("POST", "/streams/bad name", "{}").status == 400);
  CHECK(server.send("GET", "/streams/invoices", "").status == 405);
  CHECK(server.send("GET", "/nowhere", "").status == 404);
  CHECK(server.send("GET", "/health", "").body == R"({"status":"ok"})");
}

TEST_CASE("POST / dispatches X-Amz-Target to the Kinesis API") {
  Server server;
  HttpAnswer answer = server.send("POST", "/", R"({"StreamName":"invoices"})",
                                  {{"x-amz-target", "Kinesis_20131202.DescribeStreamSummary"}});
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "application/x-amz-json-1.1");
  CHECK(answer.body.find(R"("OpenShardCount":1)") != std::string::npos);
  CHECK(server.send("POST", "/", "{}", {{"x-amz-target", "Other_2020.Op"}}).body.find("UnknownOperationException") !=
        std::string::npos);
}

namespace {

// The headers of `method target body` signed by `secret` as a client signs them, now.
std::map<std::string, std::string> signed_headers(std::string_view method, std::string_view path, const std::string& body,
                                                  std::map<std::string, std::string> headers, const std::string& secret) {
  namespace aws = millrace::aws;
  headers["host"] = "127.0.0.1:4566";
  std::vector<aws::HeaderField> fields;
  for (const auto& [name, value] : headers) fields.push_back({name, value});
  aws::RequestView request{method, path, "", fields, body, {}};
  aws::Signed result = aws::sign(request, aws::Credentials{"AKIDMILLRACE", secret, ""}, aws::Scope{"us-east-1", "kinesis"},
                                 aws::SigningTime{std::chrono::seconds(std::time(nullptr))});
  headers["authorization"] = result.authorization;
  for (const auto& header : result.headers) headers[millrace::aws::ascii_lower(header.name)] = header.value;
  return headers;
}

}  // namespace

TEST_CASE("with credentials, a request is taken only with a valid signature by one of their keys") {
  TempDir keys;
  std::string file = keys.write("credentials", "[default]\naws_access_key_id = AKIDMILLRACE\naws_secret_access_key = s3cr3t\n");
  Server server(millrace::serve::GatewayOptions{file, "us-east-1"});
  std::string body = R"({"StreamName":"invoices"})";
  std::map<std::string, std::string> target{{"x-amz-target", "Kinesis_20131202.DescribeStreamSummary"}};
  CHECK(server.send("POST", "/", body, signed_headers("POST", "/", body, target, "s3cr3t")).status == 200);
  HttpAnswer wrong = server.send("POST", "/", body, signed_headers("POST", "/", body, target, "guess"));
  CHECK(wrong.status == 400);
  CHECK(wrong.body.find(R"("__type":"InvalidSignatureException")") != std::string::npos);
  HttpAnswer unsigned_call = server.send("POST", "/", body, target);
  CHECK(unsigned_call.body.find("MissingAuthenticationTokenException") != std::string::npos);
  // A signed body changed in transit is refused.
  CHECK(server.send("POST", "/", R"({"StreamName":"other"})", signed_headers("POST", "/", body, target, "s3cr3t")).status == 400);
  // The routes answer 403, as API Gateway; the health check needs no signature.
  CHECK(server.send("POST", "/streams/invoices", "{}", {{"x-partition-key", "k"}}).status == 403);
  CHECK(server.send("POST", "/streams/invoices", "{}", signed_headers("POST", "/streams/invoices", "{}", {{"x-partition-key", "k"}}, "s3cr3t")).status == 200);
  CHECK(server.send("GET", "/health", "").status == 200);
}

TEST_CASE("handle() names a request's operation: the X-Amz-Target of a modelled operation, a route's method and resource") {
  Server server;
  CHECK(server.operation_of("POST", "/", {{"X-Amz-Target", "Kinesis_20131202.PutRecord"}}) == "Kinesis_20131202.PutRecord");
  CHECK(server.operation_of("POST", "/", {{"x-amz-target", "DynamoDB_20120810.Query"}}) == "DynamoDB_20120810.Query");
  CHECK(server.operation_of("POST", "/", {{"X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics"}}) ==
        "GraniteServiceVersion20100801.ListMetrics");
  CHECK(server.operation_of("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
                            "Action=GetMetricData&Version=2010-08-01") == "GraniteServiceVersion20100801.GetMetricData");
  // A client's text never becomes an operation.
  CHECK(server.operation_of("POST", "/", {{"X-Amz-Target", "Kinesis_20131202.Anything"}}).empty());
  CHECK(server.operation_of("POST", "/", {{"X-Amz-Target", "Kinesis_20131202PutRecord"}}).empty());
  CHECK(server.operation_of("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}}, "Action=Nope").empty());
  CHECK(server.operation_of("GET", "/", {{"X-Amz-Target", "Kinesis_20131202.PutRecord"}}).empty());
  CHECK(server.operation_of("POST", "/streams/invoices?key=id") == "POST /streams/{StreamName}");
  CHECK(server.operation_of("GET", "/tables/rides/items/a/b") == "GET /tables/{TableName}/items/{Key+}");
  CHECK(server.operation_of("GET", "/metrics") == "GET /metrics");
  CHECK(server.operation_of("HEAD", "/health") == "GET /health");
  CHECK(server.operation_of("PUT", "/streams/invoices").empty());
  CHECK(server.operation_of("GET", "/elsewhere").empty());
}
