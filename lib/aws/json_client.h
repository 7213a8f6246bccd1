// JsonClient: the AWS client's requests to one service over its JSON protocol (Kinesis' JSON
// 1.1, DynamoDB's JSON 1.0): POST / with X-Amz-Target SERVICE_VERSION.Operation, signed with
// Signature Version 4 (aws/sigv4.h, the implementation gw-serve verifies with), sent over the
// process's pool of kept-alive connections (aws/http_client.h), retried by AWS's rules
// (aws/retry.h).
//
// Credentials: aws::client_credentials(). An endpoint named by URL (gw-serve, an emulator) may
// need none: requests to it are then signed with a placeholder key, which every emulator and
// gw-serve without --credentials take. The real services need real ones.
//
// Secrets stay in this object: no diagnostic, note or exception holds a key, a token or a
// signature.
//
// One JsonClient per thread.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "cli/error.h"

namespace millrace::aws {

struct JsonProtocol {
  std::string_view target_prefix;  // "Kinesis_20131202"
  std::string_view content_type;   // "application/x-amz-json-1.1"
};
inline constexpr JsonProtocol kKinesisJson{"Kinesis_20131202", "application/x-amz-json-1.1"};
inline constexpr JsonProtocol kDynamoDBJson{"DynamoDB_20120810", "application/x-amz-json-1.0"};

// An error the service answered with and that is not retried (ResourceNotFoundException,
// ValidationException...): `type` is AWS's __type without its namespace. Its exit status:
// 66 for ResourceNotFoundException, 65 for a request the service found invalid, 69 else.
class ServiceError : public cli::Error {
 public:
  ServiceError(std::string where, std::string type, const std::string& message);
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

// Reading an answer: the JSON object of `body`, else cli::Error(unavailable, where) naming the
// operation; and a member of it that is a string ("" when absent or not a string).
simdjson::dom::element answer_object(simdjson::dom::parser& parser, std::string_view body, std::string_view where,
                                     std::string_view operation);
std::string_view answer_string(simdjson::dom::element object, std::string_view name);

// How long a client waits for a stream or a table it created or changed to become ACTIVE (or to
// be gone): seconds to minutes on AWS.
inline constexpr std::chrono::minutes kReadyWait{5};
// Calls `ready` (a Describe... of `resource`, just created or changed) until it returns true:
// after 50 ms, then twice as long each time up to 1 s, for kReadyWait at most, then
// cli::Error(temp_fail) naming the resource: "`doing`, but not `state` after 5 minutes; try
// again later".
void wait_until(std::string_view resource, std::string_view doing, std::string_view state,
                const std::function<bool()>& ready);

class JsonClient {
 public:
  // Throws cli::Error(usage) when the real services are named and there are no credentials.
  JsonClient(const StoreSpec& store, std::string_view service, JsonProtocol protocol);
  ~JsonClient();

  // POSTs `body` as `operation` until it succeeds or the attempts run out, and returns the
  // response's body (valid until the next call). Throws ServiceError for an error not retried,
  // and cli::Error(temp_fail) naming the endpoint and the operation when the last attempt fails.
  const std::string& call(std::string_view operation, std::string_view body);

  const ServiceEndpoint& endpoint() const { return endpoint_; }
  RetryPolicy& retry() { return retry_; }

  // The error type and message of an answer that is not 200 ("" when the body has none).
  static std::pair<std::string, std::string> error_of(std::string_view body);

 private:
  ServiceEndpoint endpoint_;
  JsonProtocol protocol_;
  Credentials credentials_;
  std::string host_, path_;  // as signed: "127.0.0.1:4566", "/"
  HttpClient http_;
  HttpResponse response_;
  RetryPolicy retry_;
};

}  // namespace millrace::aws
