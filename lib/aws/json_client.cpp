#include "aws/json_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <thread>
#include <vector>

#include "aws/curl_library.h"
#include "cli/diagnostics.h"

namespace millrace::aws {
namespace {

// Requests to an endpoint that needs no keys (an emulator, gw-serve without --credentials).
const Credentials kPlaceholder{"AKIDMILLRACECLIENT", "millrace-client-placeholder", ""};

cli::Exit status_of(std::string_view type) {
  if (type == "ResourceNotFoundException") return cli::Exit::no_input;
  if (type == "ValidationException" || type == "InvalidArgumentException" || type == "SerializationException")
    return cli::Exit::data;
  return cli::Exit::unavailable;
}

std::string url_part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  std::string text;
  if (curl().url_get(url, part, &value, 0) == CURLUE_OK && value != nullptr) text = value;
  curl().free(value);
  return text;
}

}  // namespace

simdjson::dom::element answer_object(simdjson::dom::parser& parser, std::string_view body, std::string_view where,
                                     std::string_view operation) {
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS || !doc.is_object())
    throw cli::Error(cli::Exit::unavailable, std::string(where),
                     std::string(operation) + ": the answer is not a JSON object");
  return doc;
}

std::string_view answer_string(simdjson::dom::element object, std::string_view name) {
  std::string_view value;
  if (object[name].get(value) != simdjson::SUCCESS) return {};
  return value;
}

void wait_until(std::string_view resource, std::string_view doing, std::string_view state,
                const std::function<bool()>& ready) {
  auto deadline = std::chrono::steady_clock::now() + kReadyWait;
  for (int wait_ms = 50;; wait_ms = std::min(wait_ms * 2, 1000)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw cli::Error(cli::Exit::temp_fail, std::string(resource),
                       fmt::format("{}, but {} after {} minutes; try again later", doing, state, kReadyWait.count()));
    if (ready()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
}

ServiceError::ServiceError(std::string where, std::string type, const std::string& message)
    : cli::Error(status_of(type), std::move(where), message), type_(std::move(type)) {}

JsonClient::JsonClient(const StoreSpec& store, std::string_view service, JsonProtocol protocol)
    : endpoint_(service_endpoint(store, service)), protocol_(protocol), retry_(RetryPolicy::from_environment()) {
  std::optional<Credentials> found = client_credentials();
  if (!found && store.kind == StoreSpec::Kind::aws)
    throw cli::Error(cli::Exit::usage, "--store aws",
                     "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE");
  credentials_ = found.value_or(kPlaceholder);
  std::unique_ptr<CURLU, decltype(curl().url_cleanup)> url(curl().url(), curl().url_cleanup);
  curl().url_set(url.get(), CURLUPART_URL, endpoint_.url.c_str(), 0);
  host_ = url_part(url.get(), CURLUPART_HOST);
  if (std::string port = url_part(url.get(), CURLUPART_PORT); !port.empty()) host_ += ":" + port;
  path_ = url_part(url.get(), CURLUPART_PATH);
  if (path_.empty()) path_ = "/";
}

JsonClient::~JsonClient() = default;

std::pair<std::string, std::string> JsonClient::error_of(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS || !doc.is_object()) return {};
  std::string_view type, message;
  if (doc["__type"].get(type) != simdjson::SUCCESS) type = {};
  if (doc["message"].get(message) != simdjson::SUCCESS && doc["Message"].get(message) != simdjson::SUCCESS)
    message = {};
  // "com.amazonaws.kinesis.v20131202#ResourceNotFoundException": the name after '#'.
  if (std::size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  return {std::string(type), std::string(message)};
}

const std::string& JsonClient::call(std::string_view operation, std::string_view body) {
  std::string target = fmt::format("{}.{}", protocol_.target_prefix, operation);
  std::string last;
  for (int attempt = 1;; ++attempt) {
    std::vector<Header> headers = {{"Host", host_},
                                   {"Content-Type", std::string(protocol_.content_type)},
                                   {"X-Amz-Target", target}};
    std::vector<HeaderField> fields;
    for (const Header& header : headers) fields.push_back({header.name, header.value});
    RequestView request{"POST", path_, "", fields, body, {}};
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    Signed signature = sign(request, credentials_, Scope{endpoint_.region, endpoint_.service}, now);
    for (Header& added : signature.headers) headers.push_back(std::move(added));
    headers.push_back({"Authorization", std::move(signature.authorization)});
    http_.post(endpoint_.url, headers, body, response_);
    if (response_.status == 200) return response_.body;
    auto [type, message] = error_of(response_.body);
    // A refused signature is told with the canonical request AWS computed, which holds the
    // session token's header: it is not repeated.
    if (!credentials_.session_token.empty())
      for (std::size_t at; (at = message.find(credentials_.session_token)) != std::string::npos;)
        message.replace(at, credentials_.session_token.size(), "(session token)");
    if (!is_retryable(response_.status, type)) {
      if (type.empty()) type = fmt::format("HTTP {}", response_.status);
      throw ServiceError(endpoint_.url, type, fmt::format("{}: {}{}{}", operation, type, message.empty() ? "" : ": ", message));
    }
    last = response_.status == 0 ? response_.failure
                                 : fmt::format("HTTP {}{}{}", response_.status, type.empty() ? "" : " ", type);
    if (attempt >= retry_.max_attempts())
      throw cli::Error(cli::Exit::temp_fail, endpoint_.url,
                       fmt::format("{}: no success in {} attempts (last: {}); try again later", operation,
                                   attempt, last));
    auto wait = retry_.backoff(attempt);
    cli::note(endpoint_.url, "{}: {}; attempt {} of {} in {} ms", operation, last, attempt + 1,
              retry_.max_attempts(), wait.count());
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace millrace::aws
