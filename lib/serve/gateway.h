// Gateway: what gw-serve answers, whatever carries the request (HTTP/1.1 or HTTP/2).
//
//   POST /  with X-Amz-Target: Kinesis_20131202.OP   the Kinesis API (serve/kinesis_api.h)
//   POST /  with X-Amz-Target: DynamoDB_20120810.OP  the DynamoDB API (serve/dynamodb_api.h); its
//                                                    answers carry x-amz-crc32, the CRC32 of the
//                                                    body, which the SDKs check
//   POST /  with X-Amz-Target:                      CloudWatch's metrics API (serve/cloudwatch_api.h),
//           GraniteServiceVersion20100801.OP        JSON 1.0
//   POST /  a form with Action=OP                    the same in the query protocol
//                                                    (aws/query_protocol.h): the aws CLI's
//   GET /metrics                                     the metrics as Prometheus text
//   POST /streams/NAME                               API Gateway's Kinesis route: the body is one
//                                                    JSON record, or JSON lines with
//                                                    Content-Type application/x-ndjson; the
//                                                    partition key is the field ?key=FIELD, else
//                                                    the X-Partition-Key header, else random;
//                                                    the answer is PutRecord's (one record) or
//                                                    PutRecords' (lines), once durable
//   GET /tables/NAME/items/KEY[/SORTKEY]             API Gateway's route in front of a table: an
//                                                    item, or a query of a partition as JSON
//                                                    lines (serve/item_route.h)
//   GET /health                                      {"status":"ok"}
// Anything else is 404 (no such route) or 405 (a route, another method), with a JSON message.
// Errors of the routes are {"message": "..."} with the status that fits: 400 for a bad body
// (naming the line), 404 for a stream that is not there, 413 for a record over 1 MiB.
//
// Shard limits (GatewayOptions::shard_limits): every put, of the API and of the routes, is
// within Kinesis' write limits of its shard or refused (serve/shard_limits.h): the API as
// Kinesis refuses (serve/kinesis_api.h), the route's one record with 429 and Kinesis' message,
// its lines as PutRecords answers, those refused with their ErrorCode and ErrorMessage.
//
// Metrics (with a RequestMetrics, serve/request_metrics.h): handler_of's handler records there
// every request (AWS/ApiGateway, under the operation handle() names, metrics/api_gateway.h) and
// what its reads of tables read (AWS/DynamoDB); GET /metrics and CloudWatch's API answer once
// what it keeps is written, so that they show every request answered before theirs.
//
// Signatures: without credentials any request is taken, signed or not, as the emulators take
// them. With credentials (an AWS credentials file) every request but GET /health must carry a
// valid Signature Version 4 by one of its keys (aws/sigv4.h): the API answers a refusal as AWS
// does (400, its __type and message), the routes as API Gateway does (403).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/arn.h"
#include "aws/sigv4.h"
#include "serve/dynamodb_capacity.h"
#include "serve/request_metrics.h"
#include "serve/server.h"
#include "store/env.h"
#include "store/notify.h"

namespace millrace::serve {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more fields: x-amz-crc32

  // The routes' error: {"message": text} with `status`.
  static HttpAnswer message(int status, std::string_view text);
};

// A request as the gateway needs it. Views: the caller keeps them alive until handle() returns.
struct HttpCall {
  std::string_view method;
  std::string_view target;                     // path and query: "/streams/rides?key=Name"
  std::span<const aws::HeaderField> headers;  // every field, as received
  std::string body;
  // Where handle() names the request's operation for its metrics, when given, before it answers:
  // its X-Amz-Target for the APIs (the form's Action for CloudWatch's query protocol), the
  // route's method and resource for the routes; left empty for a request that names none. A
  // view of a string that lives as long as the process.
  std::string_view* operation = nullptr;
  // Where handle() tells what a read of tables read (the DynamoDB API's item reads, the item
  // route's), when given, before it answers.
  dynamodb::ReadUsage* reads = nullptr;

  // The first header called `name`, in any case.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct GatewayOptions {
  std::string credentials;  // an AWS credentials file; empty: signatures are not checked
  std::string region = aws::region();  // the region ARNs name
  bool shard_limits = false;  // Kinesis' write limits per shard (serve/shard_limits.h)
};

class Gateway {
 public:
  // Throws cli::Error(usage) for a credentials file that cannot be read. `metrics`, when given,
  // outlives the gateway.
  Gateway(store::Env& env, store::Notifier& notifier, const GatewayOptions& options = {},
          RequestMetrics* metrics = nullptr);
  ~Gateway();

  // Answers `call` through `done`: at once, or from the commit thread once a put is durable.
  void handle(HttpCall call, std::function<void(HttpAnswer)> done);
  // Calls `stop` once, on the thread that answers a request after a commit of the store failed
  // (store::Env::failure: an fsync or write error). From then on every write fails at once with
  // that error, answered 500 InternalFailure; gw-serve stops taking requests, answers those it
  // holds, and ends with 74.
  void on_store_failure(std::function<void()> stop);
  // The largest body accepted for a request to `target`: the APIs' 16 MiB (DynamoDB's limit on
  // a request; Kinesis' PutRecords takes 5 MiB of records as base64), 5 MiB on the routes.
  std::size_t body_limit(std::string_view method, std::string_view target) const;

  // The RequestMetrics given, or nullptr.
  RequestMetrics* metrics() const;

  // Calls the on_store_failure hook, once, when the store has failed. The server's handler
  // (handler_of) calls it after each answer of status 5xx, once the answer is sent.
  void check_store();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The server's handler for `gateway`: each request to Gateway::handle, its answer to the
// request's Responder, recorded in the gateway's RequestMetrics when it has them.
Handler handler_of(Gateway& gateway);
// The server's body limit for `gateway` (Gateway::body_limit).
BodyLimit body_limit_of(const Gateway& gateway);

}  // namespace millrace::serve
