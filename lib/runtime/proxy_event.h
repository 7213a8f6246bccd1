// API Gateway's Lambda proxy integration (a REST API, payload format 1.0) in front of a handler:
// what gw-serve's `--route 'METHOD /path=FILE.FUNCTION'` needs besides the warm runtimes.
// A route is parsed from its option, a request is matched against the routes, the matching
// route and the request become the event API Gateway would send the function, and the
// function's result (or its failure) becomes the answer API Gateway would give the client.
//
// Pure values and functions: no I/O, no clock, no shared state; a Routes may be shared by
// threads once built.
//
// Which route takes a request, when several match: the most specific, as API Gateway picks a
// resource. Paths are compared segment by segment from the left, and at the first segment where
// they differ a literal ("/users/me") wins over a parameter ("/users/{id}"), which wins over a
// greedy parameter ("/users/{rest+}"). On the same path, a route of the request's method wins
// over ANY. Two routes that would take the same requests (same method, same literals and
// parameters in the same places) are refused when the Routes are built, as API Gateway refuses
// them, so the order of the options never decides. Unlike API Gateway, which picks the resource
// first and then answers 403 when it has no method for the request, a route of another method
// never hides a less specific route that has one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "serve/message.h"

namespace millrace::runtime {

// The account that every requestContext names (no AWS account stands behind millrace).
inline constexpr std::string_view kProxyAccountId = "000000000000";

// One --route: which requests go to which handler.
struct Route {
  std::string method;   // "ANY", or one of API Gateway's: DELETE GET HEAD OPTIONS PATCH POST PUT
  std::string path;     // the resource's path template: "/invoices", "/users/{id}", "/{proxy+}"
  std::string handler;  // FILE.FUNCTION, Lambda's Handler: "index.handler", "app.get"
};

// Parses a --route option, 'METHOD /path=FILE.FUNCTION' ("POST /invoices=index.handler").
// METHOD is ANY or an HTTP method API Gateway routes, in any case (kept in upper case). The path
// starts with '/' and is "/" or segments without a trailing '/', each a literal of URL path
// characters (RFC 3986's pchar, without '%'), a parameter {name} (the whole segment), or, last,
// a greedy parameter {name+}; names are letters, digits, '_', '-' and '.', each used once.
// FILE.FUNCTION has a file (or module) before its last '.' and an identifier after it.
// Throws cli::Error(Exit::usage, "--route", "'TEXT': what is wrong") otherwise.
Route parse_route(std::string_view text);

struct PathParameter {
  std::string name;
  std::string value;  // percent-decoded ("%2F" is '/', '+' stays '+'), as API Gateway decodes them
};

// A request's route and the values of its path parameters, in the template's order.
struct RouteMatch {
  const Route* route = nullptr;  // into the Routes that matched: valid while they live
  std::vector<PathParameter> path_parameters;
};

// A route with its path template taken apart: what Routes match with.
struct CompiledRoute {
  struct Segment {
    enum class Kind { literal, parameter, greedy } kind;  // in the order of their precedence
    std::string text;                                     // the literal, or the parameter's name
  };
  Route route;
  std::vector<Segment> segments;  // none for "/"
};

// The routes of one gw-serve, ready to match requests.
class Routes {
 public:
  // Throws cli::Error(Exit::usage, "--route", ...) for a route parse_route would refuse, or for
  // two routes that take the same requests.
  explicit Routes(std::vector<Route> routes);

  // The route that takes a request of `method` (as sent, compared exactly: ANY matches every
  // method) for `path` (the target before '?', as sent, still percent-encoded), with its path
  // parameters; nullopt when none does. Each segment is percent-decoded before it is compared
  // with a literal or taken as a parameter; a parameter never matches an empty segment; a
  // greedy parameter takes the rest of the path, at least one segment, decoded as a whole, so
  // "/{proxy+}" does not match "/". One trailing '/' is ignored ("/users/" is "/users").
  std::optional<RouteMatch> match(std::string_view method, std::string_view path) const;

  std::size_t size() const { return routes_.size(); }
  const std::vector<CompiledRoute>& all() const { return routes_; }

 private:
  std::vector<CompiledRoute> routes_;
};

// What the event says besides the request: the API, its stage, this invocation.
struct EventContext {
  std::string_view api_id;      // requestContext.apiId
  std::string_view stage;       // requestContext.stage, and the first segment of requestContext.path
  std::string_view request_id;  // requestContext.requestId
  lines::EpochMs time_ms = 0;   // requestContext.requestTimeEpoch, and requestTime in CLF
};

// The event API Gateway sends a function for `request`, which `match` took (REQUIRES: the
// Routes that gave `match` still live). One JSON object, valid whatever the request's bytes (a
// byte of a path, header or query that does not begin valid UTF-8 becomes U+FFFD):
//   resource, requestContext.resourcePath   the route's template
//   path                  the path as sent (percent-encoded; a trailing '/' kept)
//   httpMethod            the request's method
//   headers               each name with its last value (names spelled as first sent; names that
//                         differ only in case are one header); {} when there are none
//   multiValueHeaders     each name with all its values, in order
//   queryStringParameters, multiValueQueryStringParameters
//                         the query's last and all values of each name, '+' and %XX decoded, a
//                         name without '=' having ""; null when the query has none
//   pathParameters        the match's, decoded; null when the route has none
//   stageVariables        null
//   requestContext        accountId kProxyAccountId, apiId, resourceId (six characters derived
//                         from the template, the same for every request of a route), stage,
//                         requestId, requestTime ("07/Dec/2026:13:22:23 +0000"),
//                         requestTimeEpoch, path ("/STAGE" + path), protocol ("HTTP/1.0",
//                         "HTTP/1.1" or "HTTP/2.0"), httpMethod, domainName and domainPrefix
//                         (from Host, when sent), identity (sourceIp: the remote address
//                         without its port; userAgent: User-Agent or null; the rest null)
//   body, isBase64Encoded  null and false for an empty body; the body as a string and false when
//                         it is text; its base64 and true when it is not. API Gateway decides by
//                         the API's binaryMediaTypes, which a route does not have: here a body is
//                         text when it is valid UTF-8 and its Content-Type, if any, is textual:
//                         text/*, or application/ json, xml, javascript, ecmascript, graphql,
//                         x-www-form-urlencoded, x-ndjson, yaml, x-yaml, x-amz-json-*, or a
//                         subtype ending in +json, +xml or +yaml.
std::string proxy_event(const serve::Request& request, const RouteMatch& match, const EventContext& context);

// API Gateway's answer to the function's result, and what was wrong with the result, if
// anything (API Gateway logs "Execution failed due to configuration error: Malformed Lambda
// proxy response"; gw-serve may say why).
struct ProxyAnswer {
  serve::Response response;
  std::optional<std::string> malformed;  // "statusCode is not an integer", ...
};

// The answer for `result`, the JSON the function returned, as API Gateway maps it:
//   statusCode          required, an integer from 100 to 599
//   headers             optional, names to a string, number or boolean (null: no header)
//   multiValueHeaders   optional, names to arrays of those; a name given here replaces the same
//                       name (in any case) in headers
//   body                optional, a string (or null: empty)
//   isBase64Encoded     optional boolean: the body is base64, decoded for the client (as if the
//                       API's binaryMediaTypes were "*/*")
// Other members are ignored. The answer carries Content-Type: application/json unless the
// result sets one, and x-amzn-RequestId: `request_id`. A result that is not such an object, or
// a header that HTTP cannot carry (a name that is not a token, a value with a control
// character), gives function_error_answer (502) with `malformed` set; a body that is not
// base64 while isBase64Encoded is true gives API Gateway's 500 (its API_CONFIGURATION_ERROR).
ProxyAnswer proxy_answer(std::string_view result, std::string_view request_id);

// API Gateway's answer when the function fails (it throws, its runtime posts an error, exits or
// returns a malformed result): 502, {"message": "Internal server error"}, with
// x-amzn-ErrorType: InternalServerErrorException and x-amzn-RequestId.
serve::Response function_error_answer(std::string_view request_id);

// API Gateway's answer when the function runs past the integration's timeout: 504,
// {"message": "Endpoint request timed out"}, with the same headers.
serve::Response timeout_answer(std::string_view request_id);

}  // namespace millrace::runtime
