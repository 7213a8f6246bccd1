// What the AWS JSON APIs of gw-serve (serve/kinesis_api.h, serve/dynamodb_api.h) share: the
// answer to a call, the account that ARNs name, and the reading of a request's members once
// the model has validated them (aws/validate.h), so that a member is either absent or of its
// type.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aws/arn.h"
#include "aws/model.h"
#include "aws/validate.h"
#include "lines/json.h"
#include "lines/time.h"

namespace millrace::serve {

// The account that ARNs name (aws/arn.h); the region is the gateway's.
using aws::kAccountId;

// The answer to one call: a JSON body with HTTP 200, or an error.
struct ApiAnswer {
  int status = 200;
  std::string body;  // the response, or {"__type":...,"message":...}
  // The error's answer; `type` is the __type as the service writes it.
  static ApiAnswer of(const aws::ApiError& error) {
    return ApiAnswer{error.status, fmt::format("{{\"__type\":{},\"message\":{}{}{}}}", lines::json_string(error.type),
                                              lines::json_string(error.message), error.members.empty() ? "" : ",",
                                              error.members)};
  }
};

// Parses `body` into `root` and validates it as the input of `operation` (aws/validate.h):
// the error to answer (a SerializationException for what is not JSON), or nullopt.
inline std::optional<aws::ApiError> parse_request(const aws::model::Service& service, const aws::model::Operation& operation,
                                                  std::string_view body, simdjson::dom::parser& parser, simdjson::dom::element& root) {
  if (auto failure = parser.parse(body.data(), body.size()).get(root))
    return aws::ApiError{400, "SerializationException", fmt::format("the request is not JSON: {}", lines::describe(failure))};
  return aws::validate(service, operation, root);
}

inline std::optional<std::string_view> string_member(simdjson::dom::element body, std::string_view name) {
  std::string_view value;
  if (body[name].get(value)) return std::nullopt;
  return value;
}

inline std::optional<std::int64_t> integer_member(simdjson::dom::element body, std::string_view name) {
  std::int64_t value;
  if (body[name].get(value)) return std::nullopt;
  return value;
}

inline std::optional<bool> bool_member(simdjson::dom::element body, std::string_view name) {
  bool value;
  if (body[name].get(value)) return std::nullopt;
  return value;
}

// Appends epoch seconds with milliseconds, as the JSON protocols write timestamps:
// 1795428000.123. Once per record of a GetRecords, so without a format string.
inline void append_epoch_seconds(std::string& out, lines::EpochMs ms) {
  if (ms < 0) out += '-', ms = -ms;
  char text[32];
  char* end = std::to_chars(text, text + 24, ms / 1000).ptr;
  auto millis = static_cast<int>(ms % 1000);
  *end++ = '.';
  *end++ = static_cast<char>('0' + millis / 100);
  *end++ = static_cast<char>('0' + millis / 10 % 10);
  *end++ = static_cast<char>('0' + millis % 10);
  out.append(text, end);
}

inline std::string epoch_seconds(lines::EpochMs ms) {
  std::string out;
  append_epoch_seconds(out, ms);
  return out;
}

}  // namespace millrace::serve
