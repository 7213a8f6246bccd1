#include "serve/request_log.h"

#include <doctest/doctest.h>

using namespace millrace::serve;

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
