#include "serve/message.h"

#include <doctest/doctest.h>

#include <string>

#include "serve/request_log.h"
#include "serve/responder.h"

using namespace millrace::serve;

TEST_CASE("header fields are found without regard to case, the first of a repeated name") {
  Headers headers;
  headers.add("X-Amz-Target", "Kinesis_20131202.PutRecord");
  headers.add("x-amz-target", "second");
  CHECK(headers.find("x-amz-target") == "Kinesis_20131202.PutRecord");
  CHECK(headers.find("X-AMZ-TARGET") == "Kinesis_20131202.PutRecord");
  CHECK_FALSE(headers.find("x-amz-date"));
  CHECK_FALSE(headers.find("x-amz-targe"));
}

TEST_CASE("set replaces every field of that name by one") {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  headers.add("Other", "1");
  headers.add("content-type", "text/html");
  headers.set("CONTENT-TYPE", "application/json");
  CHECK(headers.size() == 2);
  CHECK(headers.find("content-type") == "application/json");
  CHECK(headers.find("other") == "1");
}

TEST_CASE("a target splits into path and query at the first question mark") {
  Request request;
  request.target = "/streams/rides?limit=10&x=a?b";
  CHECK(request.path() == "/streams/rides");
  CHECK(request.query() == "limit=10&x=a?b");
  request.target = "/health";
  CHECK(request.path() == "/health");
  CHECK(request.query().empty());
}

TEST_CASE("an error response is a JSON object with the message, escaped") {
  Response response = Response::error(413, "too \"big\"\n");
  CHECK(response.status == 413);
  CHECK(response.headers.find("content-type") == "application/json");
  CHECK(response.body == R"({"message":"too \"big\"\n"})");
}

TEST_CASE("a log line names remote, method, target, protocol, status, bytes and microseconds") {
  RequestLog entry;
  entry.remote = "127.0.0.1:5000";
  entry.method = "POST";
  entry.target = "/a b\x01";
  entry.version = 20;
  entry.status = 200;
  entry.body_in = 5;
  entry.body_out = 7;
  entry.elapsed = std::chrono::microseconds(42);
  CHECK(log_line(entry) == "127.0.0.1:5000 POST /a%20b%01 HTTP/2 200 5 7 42us");
  entry.method = "";
  entry.target = "";
  entry.version = 11;
  CHECK(log_line(entry) == "127.0.0.1:5000 - - HTTP/1.1 200 5 7 42us");
}

namespace {
struct Sink : ResponseSink {
  std::vector<std::pair<std::uint64_t, int>> answers;
  void deliver(std::uint64_t slot, Response response) override { answers.emplace_back(slot, response.status); }
};
}  // namespace

TEST_CASE("a responder answers once; dropped unanswered it answers 500") {
  auto sink = std::make_shared<Sink>();
  {
    Responder answered(sink, 1);
    Response ok;
    ok.status = 204;
    answered.send(ok);
    CHECK_FALSE(answered);
    answered.send(ok);  // ignored
    Responder dropped(sink, 2);
    Responder moved = std::move(dropped);
    CHECK(moved);
  }
  REQUIRE(sink->answers.size() == 2);
  CHECK(sink->answers[0] == std::pair<std::uint64_t, int>{1, 204});
  CHECK(sink->answers[1] == std::pair<std::uint64_t, int>{2, 500});
}
