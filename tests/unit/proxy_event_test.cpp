#include "runtime/proxy_event.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "cli/error.h"

using namespace millrace;
using runtime::parse_route;
using runtime::proxy_answer;
using runtime::Route;
using runtime::Routes;

namespace {

// The message of the cli::Error that parse_route throws for `text`, checked to be a usage error
// of --route; "" when it throws none.
std::string refusal(std::string_view text) {
  try {
    parse_route(text);
  } catch (const cli::Error& error) {
    CHECK(error.status() == cli::Exit::usage);
    CHECK(error.where() == "--route");
    return error.what();
  }
  return "";
}

std::vector<Route> routes_of(std::initializer_list<std::string_view> texts) {
  std::vector<Route> routes;
  for (std::string_view text : texts) routes.push_back(parse_route(text));
  return routes;
}

// The handler of the route that takes METHOD PATH, or "" when none does.
std::string handler_for(const Routes& routes, std::string_view method, std::string_view path) {
  std::optional<runtime::RouteMatch> match = routes.match(method, path);
  return match ? match->route->handler : "";
}

std::map<std::string, std::string> parameters_of(const runtime::RouteMatch& match) {
  std::map<std::string, std::string> out;
  for (const runtime::PathParameter& parameter : match.path_parameters) out[parameter.name] = parameter.value;
  return out;
}

// An event parsed back, with the accessors the checks need.
struct Event {
  explicit Event(const std::string& text) {
    INFO(text);
    REQUIRE(parser.parse(text).get(root) == simdjson::SUCCESS);
  }
  simdjson::dom::element at(std::string_view pointer) {
    simdjson::dom::element value;
    INFO(pointer);
    REQUIRE(root.at_pointer(pointer).get(value) == simdjson::SUCCESS);
    return value;
  }
  std::string text(std::string_view pointer) {
    std::string_view value;
    INFO(pointer);
    REQUIRE(at(pointer).get_string().get(value) == simdjson::SUCCESS);
    return std::string(value);
  }
  bool is_null(std::string_view pointer) { return at(pointer).is_null(); }
  std::map<std::string, std::string> strings(std::string_view pointer) {
    std::map<std::string, std::string> out;
    simdjson::dom::object object = at(pointer).get_object().value();
    for (auto [key, value] : object) out[std::string(key)] = std::string(value.get_string().value());
    return out;
  }
  std::map<std::string, std::vector<std::string>> lists(std::string_view pointer) {
    std::map<std::string, std::vector<std::string>> out;
    simdjson::dom::object object = at(pointer).get_object().value();
    for (auto [key, values] : object) {
      simdjson::dom::array list = values.get_array().value();
      for (simdjson::dom::element value : list) out[std::string(key)].push_back(std::string(value.get_string().value()));
    }
    return out;
  }

  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

serve::Request request(std::string method, std::string target, std::vector<serve::Header> headers = {},
                       std::string body = "") {
  serve::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  for (serve::Header& header : headers) r.headers.add(std::move(header.name), std::move(header.value));
  r.body = std::move(body);
  r.remote = "127.0.0.1:50123";
  return r;
}

// The event of `r` through `routes`, which must take it.
std::string event_of(const Routes& routes, const serve::Request& r, runtime::EventContext context = {"api0000001", "local", "req-1", 0}) {
  std::optional<runtime::RouteMatch> match = routes.match(r.method, r.path());
  REQUIRE(match);
  return runtime::proxy_event(r, *match, context);
}

}  // namespace

TEST_CASE("a route option gives its method, path template and handler") {
  Route invoices = parse_route("POST /invoices=index.handler");
  CHECK(invoices.method == "POST");
  CHECK(invoices.path == "/invoices");
  CHECK(invoices.handler == "index.handler");
  Route user = parse_route("get /users/{id}=app.get");
  CHECK(user.method == "GET");
  CHECK(user.path == "/users/{id}");
  CHECK(user.handler == "app.get");
  Route proxy = parse_route("  ANY   /{proxy+} = src/index.handler ");
  CHECK(proxy.method == "ANY");
  CHECK(proxy.path == "/{proxy+}");
  CHECK(proxy.handler == "src/index.handler");
  CHECK(parse_route("GET /=pkg.module.handler").path == "/");
  CHECK(parse_route("GET /a=b/c=index.handler").path == "/a=b/c");
}

TEST_CASE("a bad route option is refused with what is wrong in it") {
  CHECK(refusal("POST/invoices=index.handler") == "'POST/invoices=index.handler': a route is 'METHOD /path=FILE.FUNCTION'");
  CHECK(refusal("FETCH /a=index.handler") ==
        "'FETCH /a=index.handler': 'FETCH' is not ANY or a method API Gateway routes (DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT)");
  CHECK(refusal("GET invoices=index.handler") == "'GET invoices=index.handler': the path 'invoices' does not start with '/'");
  CHECK(refusal("GET /invoices/=index.handler") == "'GET /invoices/=index.handler': the path '/invoices/' ends with '/'");
  CHECK(refusal("GET /a//b=index.handler") == "'GET /a//b=index.handler': the path '/a//b' has an empty segment");
  CHECK(refusal("GET /users/u{id}=index.handler") ==
        "'GET /users/u{id}=index.handler': the segment 'u{id}' is not a whole parameter: write {name} or {name+}");
  CHECK(refusal("GET /{proxy+}/x=index.handler") ==
        "'GET /{proxy+}/x=index.handler': {proxy+} is not the last segment: a greedy parameter takes the rest of the path");
  CHECK(refusal("GET /{}=index.handler") ==
        "'GET /{}=index.handler': the parameter '{}' needs a name of letters, digits, '_', '-' or '.'");
  CHECK(refusal("GET /{a}/{a}=index.handler") == "'GET /{a}/{a}=index.handler': the path parameter 'a' appears twice");
  CHECK(refusal("GET /a%20b=index.handler") == "'GET /a%20b=index.handler': the segment 'a%20b' holds \"%\", which a route's path may not");
  CHECK(refusal("GET /invoices") == "'GET /invoices': no '=FILE.FUNCTION' after the path");
  CHECK(refusal("GET /a=index") == "'GET /a=index': the handler 'index' is not FILE.FUNCTION (as index.handler)");
  CHECK(refusal("GET /a=index.") == "'GET /a=index.': the handler 'index.' is not FILE.FUNCTION (as index.handler)");
  CHECK(refusal("GET /a=.handler") == "'GET /a=.handler': the handler '.handler' is not FILE.FUNCTION (as index.handler)");
}

TEST_CASE("routes that take the same requests are refused; a method and ANY on one path are not") {
  CHECK_THROWS_WITH_AS(Routes(routes_of({"GET /users/{id}=a.b", "GET /users/{name}=c.d"})),
                       "'GET /users/{name}=c.d': it takes the same requests as 'GET /users/{id}=a.b'", cli::Error);
  CHECK_THROWS_AS(Routes(routes_of({"POST /x=a.b", "post /x=c.d"})), cli::Error);
  CHECK(Routes(routes_of({"GET /users/{id}=a.b", "ANY /users/{id}=c.d", "GET /users/me=e.f"})).size() == 3);
  CHECK_THROWS_AS(Routes({Route{"GET", "users", "a.b"}}), cli::Error);
}

TEST_CASE("the most specific route takes a request, whatever the order of the routes") {
  std::initializer_list<std::string_view> texts = {"ANY /{proxy+}=any.proxy", "GET /users/{id}=get.user", "ANY /users/{id}=any.user", "GET /users/me=get.me",
                "ANY /users/{id}/{rest+}=any.rest", "GET /users/{id}/orders=get.orders", "GET /=get.root"};
  std::vector<Route> forward = routes_of(texts);
  std::vector<Route> backward(forward.rbegin(), forward.rend());
  for (const std::vector<Route>& order : {forward, backward}) {
    Routes routes(order);
    CHECK(handler_for(routes, "GET", "/users/me") == "get.me");            // a literal over a parameter
    CHECK(handler_for(routes, "GET", "/users/you") == "get.user");         // a method over ANY
    CHECK(handler_for(routes, "DELETE", "/users/you") == "any.user");      // ANY when the method has none
    CHECK(handler_for(routes, "GET", "/users/you/orders") == "get.orders");  // a literal over a greedy parameter
    CHECK(handler_for(routes, "GET", "/users/you/orders/7") == "any.rest");  // a literal over a greedy parameter, first
    CHECK(handler_for(routes, "GET", "/other/x") == "any.proxy");
    CHECK(handler_for(routes, "GET", "/") == "get.root");
    CHECK(handler_for(routes, "POST", "/") == "");  // /{proxy+} takes at least one segment
  }
}

TEST_CASE("a route of another method never takes a request; methods compare exactly") {
  Routes routes(routes_of({"POST /invoices=index.handler"}));
  CHECK(handler_for(routes, "POST", "/invoices") == "index.handler");
  CHECK(handler_for(routes, "GET", "/invoices") == "");
  CHECK(handler_for(routes, "post", "/invoices") == "");
  CHECK(handler_for(routes, "POST", "/invoices/1") == "");
  CHECK(handler_for(routes, "POST", "/invoice") == "");
  CHECK(handler_for(routes, "POST", "invoices") == "");
  CHECK(handler_for(routes, "POST", "*") == "");
}

TEST_CASE("path parameters are percent-decoded segment by segment; one trailing '/' is ignored") {
  Routes routes(routes_of({"GET /users/{id}=a.user", "GET /files/{path+}=a.file", "GET /tag:x/{name}=a.tag"}));
  std::optional<runtime::RouteMatch> user = routes.match("GET", "/users/a%2Fb%20c+d");
  REQUIRE(user);
  CHECK(parameters_of(*user) == std::map<std::string, std::string>{{"id", "a/b c+d"}});
  user = routes.match("GET", "/users/ann/");
  REQUIRE(user);
  CHECK(parameters_of(*user) == std::map<std::string, std::string>{{"id", "ann"}});
  CHECK_FALSE(routes.match("GET", "/users/"));      // a parameter never matches an empty segment
  CHECK_FALSE(routes.match("GET", "/users//"));
  CHECK_FALSE(routes.match("GET", "/users/a/b"));

  std::optional<runtime::RouteMatch> file = routes.match("GET", "/files/hello/w%6Frld");
  REQUIRE(file);
  CHECK(file->route->path == "/files/{path+}");
  CHECK(parameters_of(*file) == std::map<std::string, std::string>{{"path", "hello/world"}});
  file = routes.match("GET", "/files/a%2Fb/");
  REQUIRE(file);
  CHECK(parameters_of(*file) == std::map<std::string, std::string>{{"path", "a/b"}});
  CHECK_FALSE(routes.match("GET", "/files"));
  CHECK_FALSE(routes.match("GET", "/files/"));

  // Literals compare with the decoded segment, which a '/' of its own does not split.
  CHECK(handler_for(routes, "GET", "/tag%3Ax/n") == "a.tag");
  CHECK(handler_for(routes, "GET", "/tag%3ax/n") == "a.tag");
  CHECK(handler_for(routes, "GET", "/files%2Fx") == "");
  CHECK(handler_for(routes, "GET", "/users%2Fann") == "");
}

TEST_CASE("the event of the developer guide's example request has the guide's values") {
  // The request and the event of API Gateway's developer guide, "Input format of a Lambda
  // function for proxy integration" (POST /testStage/hello/world?name=me to ANY /{proxy+}),
  // whose requestTime and requestTimeEpoch aws-lambda-go's events/testdata/apigw-request.json
  // adds. Header values are the guide's.
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Accept", "*/*"},
      {"Accept-Encoding", "gzip, deflate"},
      {"cache-control", "no-cache"},
      {"CloudFront-Forwarded-Proto", "https"},
      {"CloudFront-Viewer-Country", "US"},
      {"Content-Type", "application/json"},
      {"headerName", "headerValue"},
      {"Host", "gy415nuibc.execute-api.us-east-1.amazonaws.com"},
      {"Postman-Token", "9f583ef0-ed83-4a38-aef3-eb9ce3f7a57f"},
      {"User-Agent", "PostmanRuntime/2.4.5"},
      {"Via", "1.1 d98420743a69852491bbdea73f7680bd.cloudfront.net (CloudFront)"},
      {"X-Forwarded-For", "54.240.196.186, 54.182.214.83"},
      {"X-Forwarded-Port", "443"},
      {"X-Forwarded-Proto", "https"},
  };
  serve::Request r = request("POST", "/hello/world?name=me&multivalueName=you&multivalueName=me", {},
                             "{\r\n\t\"a\": 1\r\n}");
  for (const auto& [name, value] : headers) r.headers.add(name, value);
  r.remote = "192.168.196.186:41234";
  Routes routes(routes_of({"ANY /{proxy+}=index.handler"}));
  Event event(event_of(routes, r, {"gy415nuibc", "testStage", "deef4878-7910-11e6-8f14-25afc3e9ae33", 1589522469693}));

  CHECK(event.text("/resource") == "/{proxy+}");
  CHECK(event.text("/path") == "/hello/world");
  CHECK(event.text("/httpMethod") == "POST");
  std::map<std::string, std::string> want_headers(headers.begin(), headers.end());
  CHECK(event.strings("/headers") == want_headers);
  std::map<std::string, std::vector<std::string>> want_multi;
  for (const auto& [name, value] : headers) want_multi[name] = {value};
  CHECK(event.lists("/multiValueHeaders") == want_multi);
  CHECK(event.strings("/queryStringParameters") == std::map<std::string, std::string>{{"name", "me"}, {"multivalueName", "me"}});
  CHECK(event.lists("/multiValueQueryStringParameters") ==
        std::map<std::string, std::vector<std::string>>{{"name", {"me"}}, {"multivalueName", {"you", "me"}}});
  CHECK(event.strings("/pathParameters") == std::map<std::string, std::string>{{"proxy", "hello/world"}});
  CHECK(event.is_null("/stageVariables"));
  CHECK(event.text("/body") == "{\r\n\t\"a\": 1\r\n}");
  CHECK(event.at("/isBase64Encoded").get_bool().value() == false);

  CHECK(event.text("/requestContext/accountId") == "000000000000");
  CHECK(event.text("/requestContext/apiId") == "gy415nuibc");
  CHECK(event.text("/requestContext/stage") == "testStage");
  CHECK(event.text("/requestContext/requestId") == "deef4878-7910-11e6-8f14-25afc3e9ae33");
  CHECK(event.text("/requestContext/resourcePath") == "/{proxy+}");
  CHECK(event.text("/requestContext/httpMethod") == "POST");
  CHECK(event.text("/requestContext/path") == "/testStage/hello/world");
  CHECK(event.text("/requestContext/protocol") == "HTTP/1.1");
  CHECK(event.text("/requestContext/requestTime") == "15/May/2020:06:01:09 +0000");
  CHECK(event.at("/requestContext/requestTimeEpoch").get_int64().value() == 1589522469693);
  CHECK(event.text("/requestContext/domainName") == "gy415nuibc.execute-api.us-east-1.amazonaws.com");
  CHECK(event.text("/requestContext/domainPrefix") == "gy415nuibc");
  std::string resource_id = event.text("/requestContext/resourceId");
  CHECK(resource_id.size() == 6);
  CHECK(resource_id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz") == std::string::npos);
  CHECK(event.text("/requestContext/identity/sourceIp") == "192.168.196.186");
  CHECK(event.text("/requestContext/identity/userAgent") == "PostmanRuntime/2.4.5");
  for (std::string_view unknown : {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "apiKey",
                                   "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "user"})
    CHECK(event.is_null("/requestContext/identity/" + std::string(unknown)));
}

TEST_CASE("repeated headers: the last value in headers, all in multiValueHeaders, names without case") {
  Routes routes(routes_of({"GET /x=a.b"}));
  Event event(event_of(routes, request("GET", "/x", {{"X-Tag", "a"}, {"Accept", "*/*"}, {"x-tag", "b, c"}, {"X-TAG", "d"}})));
  CHECK(event.strings("/headers") == std::map<std::string, std::string>{{"X-Tag", "d"}, {"Accept", "*/*"}});
  CHECK(event.lists("/multiValueHeaders") ==
        std::map<std::string, std::vector<std::string>>{{"X-Tag", {"a", "b, c", "d"}}, {"Accept", {"*/*"}}});

  Event bare(event_of(routes, request("GET", "/x")));
  CHECK(bare.strings("/headers").empty());
  CHECK(bare.lists("/multiValueHeaders").empty());
  CHECK(bare.is_null("/requestContext/identity/userAgent"));
}

TEST_CASE("query parameters are decoded, '+' as a space; none gives null") {
  Routes routes(routes_of({"GET /search=a.b"}));
  Event event(event_of(routes, request("GET", "/search?q=a+b%2Bc&flag&&caf%C3%A9=%E2%82%AC&q=%zz")));
  CHECK(event.strings("/queryStringParameters") ==
        std::map<std::string, std::string>{{"q", "%zz"}, {"flag", ""}, {"caf\xc3\xa9", "\xe2\x82\xac"}});
  CHECK(event.lists("/multiValueQueryStringParameters") ==
        std::map<std::string, std::vector<std::string>>{{"q", {"a b+c", "%zz"}}, {"flag", {""}}, {"caf\xc3\xa9", {"\xe2\x82\xac"}}});
  for (std::string_view target : {"/search", "/search?", "/search?&&"}) {
    Event none(event_of(routes, request("GET", std::string(target))));
    CHECK(none.is_null("/queryStringParameters"));
    CHECK(none.is_null("/multiValueQueryStringParameters"));
    CHECK(none.text("/path") == "/search");
  }
}

TEST_CASE("the event's path is the path as sent; its parameters are decoded; none gives null") {
  Routes routes(routes_of({"GET /users/{id}=a.b", "GET /users=a.c"}));
  Event user(event_of(routes, request("GET", "/users/a%2Fb/?x=1"), {"api", "prod", "r", 0}));
  CHECK(user.text("/path") == "/users/a%2Fb/");
  CHECK(user.text("/resource") == "/users/{id}");
  CHECK(user.text("/requestContext/path") == "/prod/users/a%2Fb/");
  CHECK(user.strings("/pathParameters") == std::map<std::string, std::string>{{"id", "a/b"}});
  Event users(event_of(routes, request("GET", "/users")));
  CHECK(users.is_null("/pathParameters"));
  CHECK(users.text("/requestContext/resourceId") != user.text("/requestContext/resourceId"));
}

TEST_CASE("requestContext: the time in CLF, the source address without its port, the protocol") {
  Routes routes(routes_of({"ANY /x=a.b"}));
  serve::Request r = request("DELETE", "/x", {{"User-Agent", "curl/7.88.1"}});
  r.remote = "[::1]:50123";
  r.version = 20;
  Event event(event_of(routes, r, {"api", "local", "id", 1796649743123}));
  CHECK(event.text("/requestContext/requestTime") == "07/Dec/2026:13:22:23 +0000");
  CHECK(event.at("/requestContext/requestTimeEpoch").get_int64().value() == 1796649743123);
  CHECK(event.text("/requestContext/identity/sourceIp") == "::1");
  CHECK(event.text("/requestContext/identity/userAgent") == "curl/7.88.1");
  CHECK(event.text("/requestContext/protocol") == "HTTP/2.0");
  CHECK(event.text("/httpMethod") == "DELETE");
  CHECK(event.text("/requestContext/httpMethod") == "DELETE");
  CHECK_FALSE(event.root["requestContext"]["domainName"].error() == simdjson::SUCCESS);  // no Host sent
  r.version = 10;
  r.remote = "10.0.0.7:9";
  Event old(event_of(routes, r));
  CHECK(old.text("/requestContext/protocol") == "HTTP/1.0");
  CHECK(old.text("/requestContext/identity/sourceIp") == "10.0.0.7");
}

TEST_CASE("a body is a string when it is UTF-8 text, base64 when it is not, null when empty") {
  Routes routes(routes_of({"POST /x=a.b"}));
  auto body_of = [&](std::vector<serve::Header> headers, std::string body) {
    Event event(event_of(routes, request("POST", "/x", std::move(headers), std::move(body))));
    bool base64 = event.at("/isBase64Encoded").get_bool().value();
    return std::make_pair(event.is_null("/body") ? std::string("null") : event.text("/body"), base64);
  };
  CHECK(body_of({}, "") == std::make_pair(std::string("null"), false));
  CHECK(body_of({}, "h\xc3\xa9llo\n") == std::make_pair(std::string("h\xc3\xa9llo\n"), false));
  CHECK(body_of({{"Content-Type", "text/plain; charset=utf-8"}}, "hi") == std::make_pair(std::string("hi"), false));
  CHECK(body_of({{"content-type", "application/x-www-form-urlencoded"}}, "a=1") == std::make_pair(std::string("a=1"), false));
  CHECK(body_of({{"Content-Type", "application/vnd.api+json"}}, "{}") == std::make_pair(std::string("{}"), false));
  CHECK(body_of({{"Content-Type", "Application/JSON"}}, "[]") == std::make_pair(std::string("[]"), false));
  CHECK(body_of({{"Content-Type", "application/x-amz-json-1.1"}}, "{}") == std::make_pair(std::string("{}"), false));
  CHECK(body_of({}, std::string("\xff\x00\x01", 3)) == std::make_pair(std::string("/wAB"), true));
  CHECK(body_of({{"Content-Type", "text/plain"}}, std::string("\xff\x00\x01", 3)) == std::make_pair(std::string("/wAB"), true));
  CHECK(body_of({{"Content-Type", "image/png"}}, "abc") == std::make_pair(std::string("YWJj"), true));
  CHECK(body_of({{"Content-Type", "application/octet-stream"}}, "hi") == std::make_pair(std::string("aGk="), true));
  CHECK(body_of({{"Content-Type", "multipart/form-data; boundary=x"}}, "abc") == std::make_pair(std::string("YWJj"), true));
}

TEST_CASE("bytes of a request that are not UTF-8 become U+FFFD, and the event stays JSON") {
  Routes routes(routes_of({"GET /{p+}=a.b"}));
  Event event(event_of(routes, request("GET", "/a\xff%FF?k%FE=v\xc3", {{"X-Raw", "caf\xe9"}})));
  CHECK(event.text("/path") == "/a\xef\xbf\xbd%FF");
  CHECK(event.strings("/pathParameters") == std::map<std::string, std::string>{{"p", "a\xef\xbf\xbd\xef\xbf\xbd"}});
  CHECK(event.strings("/queryStringParameters") == std::map<std::string, std::string>{{"k\xef\xbf\xbd", "v\xef\xbf\xbd"}});
  CHECK(event.strings("/headers") == std::map<std::string, std::string>{{"X-Raw", "caf\xef\xbf\xbd"}});
}

TEST_CASE("a result becomes the answer: status, headers merged, body, Content-Type by default") {
  runtime::ProxyAnswer answer = proxy_answer(
      R"({"statusCode":201,"headers":{"X-One":"1","X-N":5,"X-B":true,"X-F":1.5,"X-Gone":null,"Set-Cookie":"a=1"},)"
      R"("multiValueHeaders":{"set-cookie":["b=2","c=3"],"X-M":[1,null,"two"]},"body":"created","isBase64Encoded":false,"extra":[1]})",
      "req-9");
  CHECK_FALSE(answer.malformed);
  CHECK(answer.response.status == 201);
  CHECK(answer.response.body == "created");
  std::vector<std::pair<std::string, std::string>> got;
  for (const serve::Header& header : answer.response.headers) got.emplace_back(header.name, header.value);
  CHECK(got == std::vector<std::pair<std::string, std::string>>{{"X-One", "1"},
                                                                 {"X-N", "5"},
                                                                 {"X-B", "true"},
                                                                 {"X-F", "1.5"},
                                                                 {"set-cookie", "b=2"},
                                                                 {"set-cookie", "c=3"},
                                                                 {"X-M", "1"},
                                                                 {"X-M", "two"},
                                                                 {"Content-Type", "application/json"},
                                                                 {"x-amzn-RequestId", "req-9"}});

  runtime::ProxyAnswer plain = proxy_answer(R"({"statusCode":200,"headers":{"content-type":"text/html"}})", "r");
  CHECK(plain.response.status == 200);
  CHECK(plain.response.body.empty());
  CHECK(plain.response.headers.find("Content-Type") == "text/html");
  CHECK(plain.response.headers.size() == 2);
  CHECK(proxy_answer(R"({"statusCode":404,"body":null,"headers":null,"multiValueHeaders":null,"isBase64Encoded":null})", "r")
            .response.status == 404);
}

TEST_CASE("a base64 body is decoded; one that is not base64 is API Gateway's 500") {
  runtime::ProxyAnswer answer = proxy_answer(R"({"statusCode":200,"body":"/wAB","isBase64Encoded":true})", "r");
  CHECK_FALSE(answer.malformed);
  CHECK(answer.response.body == std::string("\xff\x00\x01", 3));
  runtime::ProxyAnswer bad = proxy_answer(R"({"statusCode":200,"body":"not base64!","isBase64Encoded":true})", "r");
  CHECK(bad.response.status == 500);
  CHECK(bad.response.body == R"({"message": "Internal server error"})");
  CHECK(bad.malformed == "isBase64Encoded is true but body is not base64");
}

TEST_CASE("a malformed result is API Gateway's 502 Internal server error, with the reason apart") {
  std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"", "the result is not JSON"},
      {"{\"statusCode\":200", "the result is not JSON"},
      {"[200]", "the result is not a JSON object"},
      {"\"hello\"", "the result is not a JSON object"},
      {"null", "the result is not a JSON object"},
      {R"({"body":"x"})", "statusCode is missing"},
      {R"({"statusCode":null})", "statusCode is missing"},
      {R"({"statusCode":"200"})", "statusCode is not an integer"},
      {R"({"statusCode":200.5})", "statusCode is not an integer"},
      {R"({"statusCode":99})", "statusCode 99 is not an HTTP status"},
      {R"({"statusCode":600})", "statusCode 600 is not an HTTP status"},
      {R"({"statusCode":200,"body":{"a":1}})", "body is not a string"},
      {R"({"statusCode":200,"isBase64Encoded":"true"})", "isBase64Encoded is not a boolean"},
      {R"({"statusCode":200,"headers":["a"]})", "headers is not an object"},
      {R"({"statusCode":200,"headers":{"a":{"b":1}}})", "headers.a is not a string, number or boolean"},
      {R"({"statusCode":200,"multiValueHeaders":{"a":"b"}})", "multiValueHeaders.a is not an array"},
      {R"({"statusCode":200,"multiValueHeaders":{"a":[[1]]}})", "multiValueHeaders.a is not a string, number or boolean"},
      {R"({"statusCode":200,"headers":{"a b":"1"}})", "the header name \"a b\" is not an HTTP token"},
      {R"({"statusCode":200,"headers":{"":"1"}})", "the header name \"\" is not an HTTP token"},
      {R"({"statusCode":200,"headers":{"X-Split":"a\r\nSet-Cookie: evil"}})", "the header X-Split has a control character"},
  };
  for (const auto& [result, why] : cases) {
    std::string_view text = result;
    std::string want = std::string(why);
    CAPTURE(text);
    runtime::ProxyAnswer answer = proxy_answer(text, "req-7");
    CHECK(answer.malformed == want);
    CHECK(answer.response.status == 502);
    CHECK(answer.response.body == R"({"message": "Internal server error"})");
    CHECK(answer.response.headers.find("Content-Type") == "application/json");
    CHECK(answer.response.headers.find("x-amzn-ErrorType") == "InternalServerErrorException");
    CHECK(answer.response.headers.find("x-amzn-RequestId") == "req-7");
  }
}

TEST_CASE("a function error is a 502 and a timeout a 504, in API Gateway's words") {
  serve::Response failed = runtime::function_error_answer("id-1");
  CHECK(failed.status == 502);
  CHECK(failed.body == R"({"message": "Internal server error"})");
  CHECK(failed.body.size() == 36);  // API Gateway's Content-Length for it
  CHECK(failed.headers.find("x-amzn-ErrorType") == "InternalServerErrorException");
  CHECK(failed.headers.find("x-amzn-RequestId") == "id-1");
  serve::Response late = runtime::timeout_answer("id-2");
  CHECK(late.status == 504);
  CHECK(late.body == R"({"message": "Endpoint request timed out"})");
  CHECK(late.body.size() == 41);
  CHECK(late.headers.find("Content-Type") == "application/json");
  CHECK(late.headers.find("x-amzn-ErrorType") == "InternalServerErrorException");
  CHECK(late.headers.find("x-amzn-RequestId") == "id-2");
}
