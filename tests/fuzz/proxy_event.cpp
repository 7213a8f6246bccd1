// API Gateway's proxy integration (runtime/proxy_event.h): a request matched against a fixed set
// of routes and made into an event, the input made into an answer as a function's result, and
// the first line parsed as a --route option.
//
// Input: the request, HTTP-like: the method, then the target on the second line, then header
// lines "name: value" up to an empty line, then the body; lines end at '\n'. The whole input is
// also the function's result, and the first line a route option.
//
// Checks: a match is of a route whose method is ANY or the request's, with as many parameters as
// its template, each non-empty, and, for a path without '%', the path rebuilt from the template
// and the values; the event is one valid JSON object whose resource, httpMethod, pathParameters
// and body say what the request and its match do (the body, base64 or not, reads back as the
// request's). The answer's status is from 100 to 599; a 502 or 500 is API Gateway's error, with
// the reason; otherwise the result is a JSON object whose statusCode is the status. A route that
// parses prints back to text that parses to the same route.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/error.h"
#include "fuzz.h"
#include "lines/json.h"
#include "runtime/proxy_event.h"

using namespace millrace;
using fuzz::require;

namespace {

const runtime::Routes& fixed_routes() {
  static const runtime::Routes routes([] {
    std::vector<runtime::Route> list;
    for (std::string_view text : {"GET /=root.get", "POST /invoices=index.handler", "GET /users/{id}=users.get",
                                  "ANY /users/{id}=users.any", "GET /users/me=users.me", "ANY /files/{path+}=files.any",
                                  "GET /users/{id}/orders/{order}=orders.get", "ANY /{proxy+}=index.proxy"})
      list.push_back(runtime::parse_route(text));
    return list;
  }());
  return routes;
}

// Cuts the first line off `text`.
std::string_view take_line(std::string_view& text) {
  std::size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  return line;
}

bool is_utf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

void check_route(std::string_view line) {
  runtime::Route route;
  try {
    route = runtime::parse_route(line);
  } catch (const cli::Error&) {
    return;
  }
  runtime::Route again = runtime::parse_route(route.method + " " + route.path + "=" + route.handler);
  require(again.method == route.method && again.path == route.path && again.handler == route.handler,
          "a route printed back parses to another");
  runtime::Routes one({route});
  require(one.size() == 1, "a parsed route is refused by Routes");
}

// The template with its parameters replaced by their values, or "" when a value holds a '/'
// that a non-greedy parameter could not have come from.
std::string rebuilt_path(const runtime::Route& route, const std::vector<runtime::PathParameter>& parameters) {
  std::string out;
  std::size_t next = 0;
  std::string_view rest = route.path;
  while (!rest.empty()) {
    std::size_t open = rest.find('{');
    out += rest.substr(0, open);
    if (open == std::string_view::npos) break;
    std::size_t close = rest.find('}', open);
    require(next < parameters.size(), "fewer parameters than the template has");
    out += parameters[next++].value;
    rest.remove_prefix(close + 1);
  }
  require(next == parameters.size(), "more parameters than the template has");
  return out;
}

void check_event(std::string_view input) {
  serve::Request request;
  request.method = std::string(take_line(input));
  request.target = std::string(take_line(input));
  while (!input.empty()) {
    std::string_view line = take_line(input);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    request.headers.add(std::string(line.substr(0, colon)), std::string(value));
  }
  request.body = std::string(input);
  request.remote = "127.0.0.1:40000";

  std::optional<runtime::RouteMatch> match = fixed_routes().match(request.method, request.path());
  if (!match) return;
  const runtime::Route& route = *match->route;
  require(route.method == "ANY" || route.method == request.method, "a route of another method matched");
  for (const runtime::PathParameter& parameter : match->path_parameters)
    require(!parameter.value.empty(), "an empty path parameter");
  std::string_view path = request.path();
  if (path.find('%') == std::string_view::npos) {
    std::string rebuilt = rebuilt_path(route, match->path_parameters);
    std::string_view trimmed = path.size() > 1 && path.ends_with('/') ? path.substr(0, path.size() - 1) : path;
    require(rebuilt == trimmed, "the path rebuilt from the route and its parameters is another");
  }

  std::string text = runtime::proxy_event(request, *match, {"fuzzapi001", "stage", "request-id", 1796649743000});
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  require(!parser.parse(text).get(event), "an event that is not JSON");
  std::string_view resource, method, body;
  require(!event["resource"].get(resource) && resource == route.path, "resource is not the route's path");
  require(!event["httpMethod"].get(method), "httpMethod is not a string");
  if (is_utf8(request.method)) require(method == request.method, "httpMethod is not the request's");
  simdjson::dom::element parameters, body_value;
  require(!event["pathParameters"].get(parameters) && !event["body"].get(body_value), "an event without pathParameters or body");
  require(parameters.is_null() == match->path_parameters.empty(), "pathParameters null or not as the route has none or some");
  bool base64 = false;
  require(!event["isBase64Encoded"].get(base64), "isBase64Encoded is not a boolean");
  if (request.body.empty()) {
    require(body_value.is_null() && !base64, "an empty body is not null");
    return;
  }
  require(!body_value.get(body), "a body that is not a string");
  if (base64) {
    std::string decoded;
    require(lines::append_base64_decoded(decoded, body) && decoded == request.body, "a base64 body is not the request's");
  } else {
    require(body == request.body, "a text body is not the request's");
  }
}

void check_answer(std::string_view result) {
  runtime::ProxyAnswer answer = runtime::proxy_answer(result, "request-id");
  const serve::Response& response = answer.response;
  require(response.status >= 100 && response.status <= 599, "a status out of HTTP's range");
  if (answer.malformed) {
    require(response.status == 502 || response.status == 500, "a malformed result answered other than 502 or 500");
    require(response.body == R"({"message": "Internal server error"})", "an error answer that is not API Gateway's");
    return;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::int64_t status = 0;
  require(!parser.parse(result.data(), result.size(), true).get(object), "a result that is not an object answered");
  require(!object["statusCode"].get(status) && status == response.status, "the answer's status is not statusCode");
  for (const serve::Header& header : response.headers)
    require(header.value.find_first_of("\r\n") == std::string::npos, "a header value with CR or LF");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::string_view first = input.substr(0, input.find('\n'));
  check_route(first);
  check_event(input);
  check_answer(input);
  return 0;
}
