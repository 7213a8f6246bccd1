#include "serve/message.h"

#include <doctest/doctest.h>

#include <string>


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
