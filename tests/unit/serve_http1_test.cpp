// HTTP/1.1 as a connection serves it, with no socket (serve::ReplayConnection).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "serve/replay.h"
#include "serve_fixture.h"

using namespace millrace::serve;
using Held = millrace::test::HeldRequests;

namespace {

struct Reply {
  std::string status_line;
  int status = 0;
  std::map<std::string, std::string> fields;  // names in lower case
  std::string body;
};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The responses in `wire`, framed by Content-Length as a client reads them (RFC 9112).
std::vector<Reply> replies(std::string_view wire) {
  std::vector<Reply> out;
  while (!wire.empty()) {
    std::size_t end = wire.find("\r\n\r\n");
    REQUIRE(end != std::string_view::npos);
    std::string_view head = wire.substr(0, end);
    wire.remove_prefix(end + 4);
    Reply reply;
    std::size_t eol = head.find("\r\n");
    reply.status_line = std::string(head.substr(0, eol));
    reply.status = std::stoi(reply.status_line.substr(9, 3));
    while (eol != std::string_view::npos) {
      head.remove_prefix(eol + 2);
      eol = head.find("\r\n");
      std::string_view line = head.substr(0, eol);
      std::size_t colon = line.find(": ");
      REQUIRE(colon != std::string_view::npos);
      reply.fields[lower(std::string(line.substr(0, colon)))] = std::string(line.substr(colon + 2));
    }
    std::size_t length = reply.fields.count("content-length") ? std::stoul(reply.fields["content-length"]) : 0;
    REQUIRE(wire.size() >= length);
    reply.body = std::string(wire.substr(0, length));
    wire.remove_prefix(length);
    out.push_back(std::move(reply));
  }
  return out;
}

Response text(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

// Answers every request at once with its body, its target in x-target.
void echo(Request request, Responder responder) {
  Response response = text(std::move(request.body));
  response.headers.add("x-target", request.target);
  responder.send(std::move(response));
}

Limits small_limits() {
  Limits limits;
  limits.max_header_bytes = 256;
  limits.max_header_count = 4;
  limits.max_body_bytes = 16;
  limits.max_pipelined = 4;
  return limits;
}

}  // namespace

TEST_CASE("pipelined requests answered out of order are written in request order") {
  Held held;
  ReplayConnection connection(Limits{}, held.handler());
  connection.receive(
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\ntwo"
      "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(held.requests.size() == 3);
  CHECK(held.requests[1].body == "two");
  held.responders[2].send(text("third"));
  held.responders[1].send(text("second"));
  CHECK(connection.take_output().empty());  // the first is still owed
  held.responders[0].send(text("first"));
  auto got = replies(connection.take_output());
  REQUIRE(got.size() == 3);
  CHECK(got[0].body == "first");
  CHECK(got[1].body == "second");
  CHECK(got[2].body == "third");
  CHECK_FALSE(connection.closed());
}

TEST_CASE("a request read a byte at a time is the same request") {
  Held held;
  ReplayConnection connection(Limits{}, held.handler());
  connection.receive("PUT /items/k?x=1 HTTP/1.1\r\nHost: h\r\nX-Amz-Target: T.Op\r\nContent-Length: 5\r\n\r\nhello", 1);
  REQUIRE(held.requests.size() == 1);
  const Request& request = held.requests[0];
  CHECK(request.method == "PUT");
  CHECK(request.target == "/items/k?x=1");
  CHECK(request.version == 11);
  CHECK(request.headers.find("x-amz-target") == "T.Op");
  CHECK(request.body == "hello");
  CHECK(request.remote == "replay");
}

TEST_CASE("a chunked body arrives decoded") {
  Held held;
  ReplayConnection connection(Limits{}, held.handler());
  connection.receive("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  REQUIRE(held.requests.size() == 1);
  CHECK(held.requests[0].body == "abcde");
}

TEST_CASE("a head past max_header_bytes or max_header_count is answered 431 and the connection closed") {
  Limits limits = small_limits();
  SUBCASE("bytes") {
    ReplayConnection connection(limits, echo);
    connection.receive("GET / HTTP/1.1\r\nX-Big: " + std::string(300, 'a') + "\r\n\r\n");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(got[0].status == 431);
    CHECK(got[0].fields["connection"] == "close");
    CHECK(got[0].body == R"({"message":"the request head is larger than the limit of 256 bytes"})");
    CHECK(connection.requests() == 0);
    CHECK(connection.closed());
  }
  SUBCASE("count") {
    ReplayConnection connection(limits, echo);
    connection.receive("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(got[0].status == 431);
    CHECK(got[0].body == R"({"message":"the request has 5 header fields, more than the limit of 4"})");
    CHECK(connection.closed());
  }
}

TEST_CASE("a body past its limit is answered 413: from Content-Length before the body, or as chunks arrive") {
  Limits limits = small_limits();
  SUBCASE("Content-Length") {
    ReplayConnection connection(limits, echo);
    connection.receive("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n");  // no body byte yet
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(got[0].status == 413);
    CHECK(got[0].body == R"({"message":"the request body of 17 bytes is larger than the limit of 16 bytes"})");
    CHECK(connection.closed());
  }
  SUBCASE("chunked") {
    ReplayConnection connection(limits, echo);
    connection.receive("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(got[0].status == 413);
    CHECK(connection.requests() == 0);
  }
  SUBCASE("the body limit is the hook's for the request's head") {
    BodyLimit per_target = [](const Request& head) -> std::size_t { return head.path() == "/big" ? 100 : 2; };
    ReplayConnection connection(limits, echo, per_target);
    connection.receive(
        "POST /big HTTP/1.1\r\nContent-Length: 20\r\n\r\n" + std::string(20, 'b') +
        "POST /small HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 2);
    CHECK(got[0].status == 200);
    CHECK(got[0].body == std::string(20, 'b'));
    CHECK(got[1].status == 413);
  }
}

TEST_CASE("malformed requests are answered 400 with a JSON message, then the connection is closed") {
  for (std::string bad : {"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", "GET / HTTP/1.1\r\n\x01: y\r\n\r\n"}) {
    CAPTURE(bad);
    ReplayConnection connection(Limits{}, echo);
    connection.receive(bad + "GET /after HTTP/1.1\r\n\r\n");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(got[0].status == 400);
    CHECK(got[0].body.starts_with(R"({"message":"malformed HTTP/1.1 request: )"));
    CHECK(connection.requests() == 0);
    CHECK(connection.closed());
  }
}

TEST_CASE("a request cut short by the end of the connection is answered 400") {
  ReplayConnection connection(Limits{}, echo);
  connection.receive("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  CHECK(connection.take_output().empty());
  connection.end();
  auto got = replies(connection.take_output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].status == 400);
  CHECK(got[0].body == R"({"message":"truncated request: the connection ended inside it"})");
  CHECK(connection.closed());
}

TEST_CASE("the end of a connection after whole requests closes it once they are answered") {
  Held held;
  ReplayConnection connection(Limits{}, held.handler());
  connection.receive("GET /1 HTTP/1.1\r\n\r\n");
  connection.end();
  CHECK_FALSE(connection.closed());
  held.responders[0].send(text("late"));
  auto got = replies(connection.take_output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == "late");
  CHECK(got[0].fields["connection"] == "close");
  CHECK(connection.closed());
}

TEST_CASE("Expect: 100-continue is answered 100 when the body is within its limit, else 413 at once") {
  Limits limits = small_limits();
  ReplayConnection accepted(limits, echo);
  accepted.receive("POST / HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  CHECK(accepted.take_output() == "HTTP/1.1 100 Continue\r\n\r\n");
  accepted.receive("body");
  auto got = replies(accepted.take_output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == "body");

  ReplayConnection refused(limits, echo);
  refused.receive("POST / HTTP/1.1\r\nContent-Length: 400\r\nExpect: 100-continue\r\n\r\n");
  got = replies(refused.take_output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].status == 413);
}

TEST_CASE("Connection: close and HTTP/1.0 without keep-alive end the connection after their answer") {
  for (std::string request : {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"}) {
    CAPTURE(request);
    ReplayConnection connection(Limits{}, echo);
    connection.receive(request + "GET /ignored HTTP/1.1\r\n\r\n");
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 1);
    CHECK(connection.requests() == 1);
    CHECK(connection.closed());
  }
  ReplayConnection kept(Limits{}, echo);
  kept.receive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto got = replies(kept.take_output());
  REQUIRE(got.size() == 1);
  CHECK(got[0].status_line == "HTTP/1.0 200 OK");
  CHECK(got[0].fields["connection"] == "keep-alive");
  CHECK_FALSE(kept.closed());
}

TEST_CASE("a dropped responder or a throwing handler answers 500, and the connection goes on") {
  ReplayConnection connection(Limits{}, [](Request request, Responder responder) {
    if (request.target == "/throw") throw std::runtime_error("bug");
    if (request.target == "/ok") responder.send(text("ok"));
  });
  connection.receive("GET /drop HTTP/1.1\r\n\r\nGET /throw HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n");
  auto got = replies(connection.take_output());
  REQUIRE(got.size() == 3);
  CHECK(got[0].status == 500);
  CHECK(got[0].body == R"({"message":"the request was dropped unanswered"})");
  CHECK(got[1].status == 500);
  CHECK(got[2].body == "ok");
  CHECK_FALSE(connection.closed());
}

TEST_CASE("no more than max_pipelined requests are read ahead of their answers") {
  Held held;
  Limits limits;
  limits.max_pipelined = 2;
  ReplayConnection connection(limits, held.handler());
  std::string four;
  for (int i = 0; i < 4; ++i) four += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  connection.receive(four);
  CHECK(connection.requests() == 2);
  held.responders[0].send(text("0"));
  CHECK(connection.requests() == 3);
  held.responders[1].send(text("1"));
  held.responders[2].send(text("2"));
  REQUIRE(connection.requests() == 4);
  CHECK(held.requests[3].target == "/3");
  held.responders[3].send(text("3"));
  CHECK(replies(connection.take_output()).size() == 4);
}

TEST_CASE("a response to HEAD has the body's Content-Length and no body; 204 has neither") {
  ReplayConnection connection(Limits{}, [](Request request, Responder responder) {
    Response response = text("12345");
    if (request.target == "/none") response.status = 204;
    responder.send(std::move(response));
  });
  connection.receive("HEAD / HTTP/1.1\r\n\r\n");
  std::string head = connection.take_output();
  CHECK(head.find("Content-Length: 5\r\n") != std::string::npos);
  CHECK(head.ends_with("\r\n\r\n"));
  connection.receive("GET /none HTTP/1.1\r\n\r\n");
  std::string none = connection.take_output();
  CHECK(none.starts_with("HTTP/1.1 204 No Content\r\n"));
  CHECK(none.find("Content-Length") == std::string::npos);
  CHECK(none.ends_with("\r\n\r\n"));
}

TEST_CASE("the framing fields of a handler's response are the server's") {
  ReplayConnection connection(Limits{}, [](Request, Responder responder) {
    Response response = text("abc");
    response.headers.add("Content-Length", "99");
    response.headers.add("Transfer-Encoding", "chunked");
    response.headers.add("Connection", "close");
    responder.send(std::move(response));
  });
  connection.receive("GET / HTTP/1.1\r\n\r\n");
  std::string wire = connection.take_output();
  auto got = replies(wire);
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields["content-length"] == "3");
  CHECK(wire.find("chunked") == std::string::npos);
  CHECK_FALSE(connection.closed());
}

TEST_CASE("a request line of another HTTP version, the HTTP/2 preface after a request included, is answered 400") {
  for (std::string line : {"GET / HTTP/3.0\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}) {
    ReplayConnection connection(Limits{}, echo);
    connection.receive("GET / HTTP/1.1\r\n\r\n" + line);
    auto got = replies(connection.take_output());
    REQUIRE(got.size() == 2);
    CHECK(got[1].status == 400);
    CHECK(got[1].body == R"({"message":"malformed HTTP/1.1 request: bad version"})");
  }
}

TEST_CASE("stopping answers the requests read, finishes the one being read, then closes") {
  Held held;
  ReplayConnection connection(Limits{}, held.handler());
  connection.receive("GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nab");
  connection.stop();
  connection.receive("cdGET /3 HTTP/1.1\r\n\r\n");
  REQUIRE(held.requests.size() == 2);
  CHECK(held.requests[1].body == "abcd");
  held.responders[0].send(text("1"));
  held.responders[1].send(text("2"));
  auto got = replies(connection.take_output());
  REQUIRE(got.size() == 2);
  CHECK(got[0].fields.count("connection") == 0);
  CHECK(got[1].fields["connection"] == "close");
  CHECK(connection.closed());

  ReplayConnection idle(Limits{}, echo);
  idle.receive("GET / HTTP/1.1\r\n\r\n");
  CHECK_FALSE(idle.closed());
  idle.stop();
  CHECK(idle.closed());
}
