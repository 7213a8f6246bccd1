#include "runtime/proxy_event.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <iterator>

#include "aws/text.h"
#include "cli/error.h"
#include "lines/json.h"

namespace millrace::runtime {

namespace {

using Segment = CompiledRoute::Segment;
using Kind = Segment::Kind;

// --- Text --------------------------------------------------------------------------------------

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The '/'-separated segments of `path` after its leading '/' ("/" has none).
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.size() <= 1) return segments;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// --- Parsing a route ---------------------------------------------------------------------------

// The methods API Gateway lets a resource have (PutMethod's httpMethod), ANY included.
constexpr std::array<std::string_view, 8> kMethods = {"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"};

[[noreturn]] void refuse(std::string_view text, std::string_view problem) {
  throw cli::Error(cli::Exit::usage, "--route", fmt::format("'{}': {}", text, problem));
}

// RFC 3986's pchar but for pct-encoded: what a literal segment of a template may hold.
bool is_path_char(char c) { return is_alnum(c) || std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos; }

bool is_parameter_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

// The segments of the path template `path` of the route `text`; refuses what parse_route says.
std::vector<Segment> compile_template(std::string_view text, std::string_view path) {
  if (!path.starts_with('/')) refuse(text, fmt::format("the path '{}' does not start with '/'", path));
  if (path.size() > 1 && path.ends_with('/')) refuse(text, fmt::format("the path '{}' ends with '/'", path));
  std::vector<Segment> segments;
  for (std::string_view segment : split_segments(path)) {
    if (segment.empty()) refuse(text, fmt::format("the path '{}' has an empty segment", path));
    if (!segments.empty() && segments.back().kind == Kind::greedy)
      refuse(text, fmt::format("{{{}+}} is not the last segment: a greedy parameter takes the rest of the path",
                               segments.back().text));
    if (segment.find_first_of("{}") == std::string_view::npos) {
      auto bad = std::find_if_not(segment.begin(), segment.end(), is_path_char);
      if (bad != segment.end())
        refuse(text, fmt::format("the segment '{}' holds {}, which a route's path may not", segment,
                                 lines::json_string(std::string_view(&*bad, 1))));
      segments.push_back({Kind::literal, std::string(segment)});
      continue;
    }
    if (segment.size() < 2 || segment.front() != '{' || segment.back() != '}')
      refuse(text, fmt::format("the segment '{}' is not a whole parameter: write {{name}} or {{name+}}", segment));
    std::string_view name = segment.substr(1, segment.size() - 2);
    Kind kind = Kind::parameter;
    if (name.ends_with('+')) {
      name.remove_suffix(1);
      kind = Kind::greedy;
    }
    if (!is_parameter_name(name))
      refuse(text, fmt::format("the parameter '{}' needs a name of letters, digits, '_', '-' or '.'", segment));
    for (const Segment& before : segments)
      if (before.kind != Kind::literal && before.text == name)
        refuse(text, fmt::format("the path parameter '{}' appears twice", name));
    segments.push_back({kind, std::string(name)});
  }
  return segments;
}

CompiledRoute compile_route(std::string_view text) {
  std::string_view rest = trim(text);
  std::size_t space = rest.find_first_of(" \t");
  if (space == std::string_view::npos) refuse(text, "a route is 'METHOD /path=FILE.FUNCTION'");
  CompiledRoute compiled;
  Route& route = compiled.route;
  route.method = upper(rest.substr(0, space));
  if (std::find(kMethods.begin(), kMethods.end(), route.method) == kMethods.end())
    refuse(text, fmt::format("'{}' is not ANY or a method API Gateway routes (DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT)",
                             rest.substr(0, space)));
  rest = trim(rest.substr(space));
  // A handler has no '=', a path may: the last '=' ends the path.
  std::size_t equals = rest.rfind('=');
  if (equals == std::string_view::npos) refuse(text, "no '=FILE.FUNCTION' after the path");
  route.path = std::string(trim(rest.substr(0, equals)));
  route.handler = std::string(trim(rest.substr(equals + 1)));

  std::string_view handler = route.handler;
  std::size_t dot = handler.rfind('.');
  std::string_view file = dot == std::string_view::npos ? std::string_view{} : handler.substr(0, dot);
  std::string_view function = dot == std::string_view::npos ? std::string_view{} : handler.substr(dot + 1);
  bool file_ok = !file.empty() && std::none_of(file.begin(), file.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
  bool function_ok = !function.empty() &&
                     std::all_of(function.begin(), function.end(), [](char c) { return is_alnum(c) || c == '_' || c == '$'; });
  if (!file_ok || !function_ok) refuse(text, fmt::format("the handler '{}' is not FILE.FUNCTION (as index.handler)", handler));
  compiled.segments = compile_template(text, route.path);
  return compiled;
}

// --- Matching ----------------------------------------------------------------------------------

// Whether `a` and `b` take the same paths: literals and parameters in the same places.
bool same_paths(const CompiledRoute& a, const CompiledRoute& b) {
  return std::equal(a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
                    [](const Segment& x, const Segment& y) {
                      return x.kind == y.kind && (x.kind != Kind::literal || x.text == y.text);
                    });
}

// Whether `a` is more specific than `b`, both matching the same request (see the header).
bool more_specific(const CompiledRoute& a, const CompiledRoute& b) {
  std::size_t shared = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < shared; ++i)
    if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
  // The same kinds throughout (both matched the path, so the literals are equal): a route of the
  // request's method is more specific than ANY.
  return a.route.method != "ANY" && b.route.method == "ANY";
}

// The path parameters of `route` for a path (a trailing '/' removed) cut into `segments`, or
// nullopt when it does not match.
std::optional<std::vector<PathParameter>> match_path(const CompiledRoute& route, std::string_view path,
                                                     const std::vector<std::string_view>& segments) {
  std::vector<PathParameter> parameters;
  std::size_t i = 0;
  for (const Segment& segment : route.segments) {
    if (i == segments.size() || segments[i].empty()) return std::nullopt;
    switch (segment.kind) {
      case Kind::literal:
        if (aws::percent_decode(segments[i]) != segment.text) return std::nullopt;
        break;
      case Kind::parameter:
        parameters.push_back({segment.text, aws::percent_decode(segments[i])});
        break;
      case Kind::greedy: {
        // The rest of the path: from this segment (which views `path`) to the end.
        std::string_view rest = path.substr(static_cast<std::size_t>(segments[i].data() - path.data()));
        parameters.push_back({segment.text, aws::percent_decode(rest)});
        return parameters;
      }
    }
    ++i;
  }
  if (i != segments.size()) return std::nullopt;
  return parameters;
}

// --- The event ---------------------------------------------------------------------------------

// The query's decoding: '+' is a space, then %XX (so "%2B" is a '+').
std::string decode_query_component(std::string_view text) {
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return aws::percent_decode(spaced);
}

// "07/Dec/2026:13:22:23 +0000": the Common Log Format time of requestContext.requestTime, its
// month from a table rather than strftime's %b, which follows the locale.
std::string clf_time(lines::EpochMs ms) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto seconds = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm utc{};
  if (::gmtime_r(&seconds, &utc) == nullptr) return "01/Jan/1970:00:00:00 +0000";
  return fmt::format("{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000", utc.tm_mday, kMonths[static_cast<std::size_t>(utc.tm_mon)],
                     utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

// A resource's id, shaped as API Gateway's ("roq9wj"): six base-36 digits of the template's
// FNV-1a hash, the same for every request of a route.
std::string resource_id(std::string_view path_template) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : path_template) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id(6, '0');
  for (char& digit : id) {
    digit = kDigits[hash % 36];
    hash /= 36;
  }
  return id;
}

// "127.0.0.1:50123" → "127.0.0.1", "[::1]:50123" → "::1"; anything else as it is.
std::string_view source_ip(std::string_view remote) {
  if (remote.starts_with('[')) {
    std::size_t close = remote.find(']');
    return close == std::string_view::npos ? remote : remote.substr(1, close - 1);
  }
  std::size_t colon = remote.find(':');
  if (colon != std::string_view::npos && remote.rfind(':') == colon) return remote.substr(0, colon);
  return remote;
}

// Whether a Content-Type names text (see proxy_event in the header).
bool is_textual(std::string_view content_type) {
  std::string type = aws::ascii_lower(trim(content_type.substr(0, content_type.find(';'))));
  std::string_view view = type;
  if (view.starts_with("text/")) return true;
  if (!view.starts_with("application/")) return false;
  std::string_view subtype = view.substr(std::string_view("application/").size());
  static constexpr std::array<std::string_view, 9> kText = {
      "json", "xml", "javascript", "ecmascript", "graphql", "x-www-form-urlencoded", "x-ndjson", "yaml", "x-yaml"};
  return std::find(kText.begin(), kText.end(), subtype) != kText.end() || subtype.starts_with("x-amz-json-") ||
         subtype.ends_with("+json") || subtype.ends_with("+xml") || subtype.ends_with("+yaml");
}

bool body_is_text(const serve::Request& request) {
  if (!simdjson::validate_utf8(request.body.data(), request.body.size())) return false;
  std::optional<std::string_view> content_type = request.headers.find("Content-Type");
  return !content_type || is_textual(*content_type);
}

// A name with its values in order.
struct Group {
  std::string name;
  std::vector<std::string> values;
};

// Appends `"KEY":{"name":"last value",...},"MULTI_KEY":{"name":["value",...],...},`, with null
// for both when there are no groups and `null_when_none`.
void append_groups(std::string& out, std::string_view key, std::string_view multi_key, const std::vector<Group>& groups,
                   bool null_when_none) {
  for (bool multi : {false, true}) {
    fmt::format_to(std::back_inserter(out), "\"{}\":", multi ? multi_key : key);
    if (groups.empty() && null_when_none) {
      out += "null,";
      continue;
    }
    out += '{';
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (g > 0) out += ',';
      lines::append_json_text(out, groups[g].name);
      out += ':';
      if (!multi) {
        lines::append_json_text(out, groups[g].values.back());
        continue;
      }
      out += '[';
      for (std::size_t v = 0; v < groups[g].values.size(); ++v) {
        if (v > 0) out += ',';
        lines::append_json_text(out, groups[g].values[v]);
      }
      out += ']';
    }
    out += "},";
  }
}

// The request's headers by name, names that differ only in case being one (HTTP's names have
// no case), spelled as first sent.
std::vector<Group> header_groups(const serve::Headers& headers) {
  std::vector<Group> groups;
  for (const serve::Header& field : headers) {
    auto found = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return serve::iequals(g.name, field.name); });
    if (found == groups.end()) found = groups.insert(groups.end(), Group{field.name, {}});
    found->values.push_back(field.value);
  }
  return groups;
}

// The query's parameters by decoded name (compared exactly).
std::vector<Group> query_groups(std::string_view query) {
  std::vector<Group> groups;
  aws::for_each_query_pair(query, [&](std::string_view raw_name, std::string_view raw_value) {
    std::string name = decode_query_component(raw_name);
    auto found = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == name; });
    if (found == groups.end()) found = groups.insert(groups.end(), Group{std::move(name), {}});
    found->values.push_back(decode_query_component(raw_value));
    return true;
  });
  return groups;
}

std::string_view protocol(int version) {
  if (version == 20) return "HTTP/2.0";
  return version == 10 ? "HTTP/1.0" : "HTTP/1.1";
}

// --- The answer --------------------------------------------------------------------------------

// API Gateway's own error bodies, byte for byte (with a space after the colon).
constexpr std::string_view kInternalError = "{\"message\": \"Internal server error\"}";
constexpr std::string_view kTimedOut = "{\"message\": \"Endpoint request timed out\"}";

// API Gateway's own error answers: its body, the error type it names, the request id.
serve::Response gateway_error(int status, std::string_view body, std::string_view request_id) {
  serve::Response response = serve::Response::json(status, std::string(body));
  response.headers.add("x-amzn-ErrorType", "InternalServerErrorException");
  response.headers.add("x-amzn-RequestId", std::string(request_id));
  return response;
}

// RFC 9110's token: what a field name is made of.
bool is_token(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// A field value: no control character but HTAB (a CR or LF would end the field, and begin
// another of the function's making).
bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

// A header value of the result, a string, number or boolean, as text; nullopt for anything else.
std::optional<std::string> scalar_text(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING: return std::string(value.get_string().value_unsafe());
    case simdjson::dom::element_type::BOOL: return std::string(value.get_bool().value_unsafe() ? "true" : "false");
    case simdjson::dom::element_type::INT64: return std::to_string(value.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: return std::to_string(value.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE: return fmt::format("{}", value.get_double().value_unsafe());
    default: return std::nullopt;
  }
}

// The member `name` of `result`, nullopt when it is missing or null.
std::optional<simdjson::dom::element> member(simdjson::dom::object result, std::string_view name) {
  simdjson::dom::element value;
  if (result[name].get(value) || value.is_null()) return std::nullopt;
  return value;
}

// What is wrong with a result ("statusCode is missing"), nullopt when nothing is.
using Problem = std::optional<std::string>;

// Appends to `out` the headers of a result's member `key` ("headers": names to values, or
// "multiValueHeaders": names to arrays of values).
Problem read_headers(simdjson::dom::object result, std::string_view key, bool multi, std::vector<serve::Header>& out) {
  std::optional<simdjson::dom::element> field = member(result, key);
  if (!field) return std::nullopt;
  simdjson::dom::object headers;
  if (field->get_object().get(headers)) return fmt::format("{} is not an object", key);
  for (simdjson::dom::key_value_pair entry : headers) {
    std::string_view name = entry.key;
    simdjson::dom::element value = entry.value;
    simdjson::dom::array list;
    if (multi && !value.is_null() && value.get_array().get(list)) return fmt::format("{}.{} is not an array", key, name);
    auto add = [&](simdjson::dom::element item) -> Problem {
      if (item.is_null()) return std::nullopt;
      std::optional<std::string> text = scalar_text(item);
      if (!text) return fmt::format("{}.{} is not a string, number or boolean", key, name);
      out.push_back({std::string(name), std::move(*text)});
      return std::nullopt;
    };
    if (!multi) {
      if (Problem problem = add(value)) return problem;
      continue;
    }
    if (value.is_null()) continue;
    for (simdjson::dom::element item : list)
      if (Problem problem = add(item)) return problem;
  }
  return std::nullopt;
}

// The result's headers, merged: a name of multiValueHeaders replaces the same name in headers.
Problem read_result_headers(simdjson::dom::object result, std::vector<serve::Header>& headers) {
  std::vector<serve::Header> multi;
  if (Problem problem = read_headers(result, "headers", false, headers)) return problem;
  if (Problem problem = read_headers(result, "multiValueHeaders", true, multi)) return problem;
  std::erase_if(headers, [&](const serve::Header& header) {
    return std::any_of(multi.begin(), multi.end(), [&](const serve::Header& m) { return serve::iequals(m.name, header.name); });
  });
  headers.insert(headers.end(), std::make_move_iterator(multi.begin()), std::make_move_iterator(multi.end()));
  for (const serve::Header& header : headers) {
    if (!is_token(header.name)) return fmt::format("the header name {} is not an HTTP token", lines::json_string(header.name));
    if (!is_field_value(header.value)) return fmt::format("the header {} has a control character", header.name);
  }
  return std::nullopt;
}

// Sets `response` from a result; `bad_base64` when its body is not the base64 it says it is.
Problem read_result(std::string_view result, std::string_view request_id, serve::Response& response, bool& bad_base64) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(result.data(), result.size(), true).get(root)) return "the result is not JSON";
  simdjson::dom::object object;
  if (root.get_object().get(object)) return "the result is not a JSON object";

  std::optional<simdjson::dom::element> status = member(object, "statusCode");
  if (!status) return "statusCode is missing";
  std::int64_t code = 0;
  if (status->get_int64().get(code)) return "statusCode is not an integer";
  if (code < 100 || code > 599) return fmt::format("statusCode {} is not an HTTP status", code);
  std::string_view body;
  if (std::optional<simdjson::dom::element> field = member(object, "body"); field && field->get_string().get(body))
    return "body is not a string";
  bool base64 = false;
  if (std::optional<simdjson::dom::element> field = member(object, "isBase64Encoded"); field && field->get_bool().get(base64))
    return "isBase64Encoded is not a boolean";
  std::vector<serve::Header> headers;
  if (Problem problem = read_result_headers(object, headers)) return problem;

  response.status = static_cast<int>(code);
  for (serve::Header& header : headers) response.headers.add(std::move(header.name), std::move(header.value));
  if (!response.headers.find("Content-Type")) response.headers.add("Content-Type", "application/json");
  response.headers.set("x-amzn-RequestId", std::string(request_id));
  if (base64) {
    bad_base64 = !lines::append_base64_decoded(response.body, body);
  } else {
    response.body = std::string(body);
  }
  return std::nullopt;
}

}  // namespace

Route parse_route(std::string_view text) { return compile_route(text).route; }

Routes::Routes(std::vector<Route> routes) {
  for (const Route& route : routes) {
    std::string text = route.method + " " + route.path + "=" + route.handler;
    CompiledRoute compiled = compile_route(text);
    for (const CompiledRoute& other : routes_)
      if (other.route.method == compiled.route.method && same_paths(other, compiled))
        refuse(text, fmt::format("it takes the same requests as '{} {}={}'", other.route.method, other.route.path,
                                 other.route.handler));
    routes_.push_back(std::move(compiled));
  }
}

std::optional<RouteMatch> Routes::match(std::string_view method, std::string_view path) const {
  if (!path.starts_with('/')) return std::nullopt;
  if (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  std::vector<std::string_view> segments = split_segments(path);
  const CompiledRoute* best = nullptr;
  std::vector<PathParameter> best_parameters;
  for (const CompiledRoute& route : routes_) {
    if (route.route.method != "ANY" && route.route.method != method) continue;
    if (best && !more_specific(route, *best)) continue;
    std::optional<std::vector<PathParameter>> parameters = match_path(route, path, segments);
    if (!parameters) continue;
    best = &route;
    best_parameters = std::move(*parameters);
  }
  if (!best) return std::nullopt;
  return RouteMatch{&best->route, std::move(best_parameters)};
}

std::string proxy_event(const serve::Request& request, const RouteMatch& match, const EventContext& context) {
  const Route& route = *match.route;
  std::string_view path = request.path();
  std::string out;
  out.reserve(1024 + request.body.size() * 4 / 3);
  out += "{\"resource\":";
  lines::append_json_text(out, route.path);
  out += ",\"path\":";
  lines::append_json_text(out, path);
  out += ",\"httpMethod\":";
  lines::append_json_text(out, request.method);
  out += ',';
  append_groups(out, "headers", "multiValueHeaders", header_groups(request.headers), false);
  append_groups(out, "queryStringParameters", "multiValueQueryStringParameters", query_groups(request.query()), true);

  out += "\"pathParameters\":";
  if (match.path_parameters.empty()) {
    out += "null";
  } else {
    out += '{';
    for (std::size_t i = 0; i < match.path_parameters.size(); ++i) {
      if (i > 0) out += ',';
      lines::append_json_text(out, match.path_parameters[i].name);
      out += ':';
      lines::append_json_text(out, match.path_parameters[i].value);
    }
    out += '}';
  }
  out += ",\"stageVariables\":null";

  out += ",\"requestContext\":{\"accountId\":";
  lines::append_json_string(out, kProxyAccountId);
  out += ",\"apiId\":";
  lines::append_json_text(out, context.api_id);
  if (std::optional<std::string_view> host = request.headers.find("Host")) {
    out += ",\"domainName\":";
    lines::append_json_text(out, *host);
    out += ",\"domainPrefix\":";
    lines::append_json_text(out, host->substr(0, host->find('.')));
  }
  out += ",\"resourceId\":";
  lines::append_json_string(out, resource_id(route.path));
  out += ",\"resourcePath\":";
  lines::append_json_text(out, route.path);
  out += ",\"httpMethod\":";
  lines::append_json_text(out, request.method);
  out += ",\"path\":";
  lines::append_json_text(out, fmt::format("/{}{}", context.stage, path));
  out += ",\"stage\":";
  lines::append_json_text(out, context.stage);
  out += ",\"protocol\":";
  lines::append_json_string(out, protocol(request.version));
  out += ",\"requestId\":";
  lines::append_json_text(out, context.request_id);
  out += ",\"requestTime\":";
  lines::append_json_string(out, clf_time(context.time_ms));
  fmt::format_to(std::back_inserter(out), ",\"requestTimeEpoch\":{}", context.time_ms);
  // Who called: only the address and the agent are known, the rest (IAM, Cognito, API keys) is
  // what API Gateway sends for an API without authorization.
  out += ",\"identity\":{\"cognitoIdentityPoolId\":null,\"accountId\":null,\"cognitoIdentityId\":null,\"caller\":null,"
         "\"apiKey\":null,\"apiKeyId\":null,\"accessKey\":null,\"sourceIp\":";
  lines::append_json_text(out, source_ip(request.remote));
  out += ",\"cognitoAuthenticationType\":null,\"cognitoAuthenticationProvider\":null,\"userArn\":null,\"userAgent\":";
  if (std::optional<std::string_view> agent = request.headers.find("User-Agent")) {
    lines::append_json_text(out, *agent);
  } else {
    out += "null";
  }
  out += ",\"user\":null,\"principalOrgId\":null}}";

  out += ",\"body\":";
  if (request.body.empty()) {
    out += "null,\"isBase64Encoded\":false}";
  } else if (body_is_text(request)) {
    lines::append_json_string(out, request.body);
    out += ",\"isBase64Encoded\":false}";
  } else {
    out += '"';
    lines::append_base64(out, request.body);
    out += "\",\"isBase64Encoded\":true}";
  }
  return out;
}

ProxyAnswer proxy_answer(std::string_view result, std::string_view request_id) {
  serve::Response response;
  bool bad_base64 = false;
  if (Problem problem = read_result(result, request_id, response, bad_base64))
    return {function_error_answer(request_id), std::move(problem)};
  if (bad_base64)  // API Gateway's API_CONFIGURATION_ERROR: a 500, where a malformed result is a 502
    return {gateway_error(500, kInternalError, request_id), std::string("isBase64Encoded is true but body is not base64")};
  return {std::move(response), std::nullopt};
}

serve::Response function_error_answer(std::string_view request_id) { return gateway_error(502, kInternalError, request_id); }

serve::Response timeout_answer(std::string_view request_id) { return gateway_error(504, kTimedOut, request_id); }

}  // namespace millrace::runtime
