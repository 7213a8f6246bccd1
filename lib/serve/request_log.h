// RequestLog: what the server tells the log hook of each request it answered, and the one line
// it makes of it for -v.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace millrace::serve {

struct RequestLog {
  std::string_view remote;  // "127.0.0.1:50123"
  std::string_view method;  // empty when the request was too malformed to have one
  std::string_view target;
  int version = 11;         // 10, 11 or 20
  int status = 0;
  std::size_t body_in = 0;   // bytes of the request's body
  std::size_t body_out = 0;  // bytes of the response's body
  // From the complete request (or the error found in it) to the response written.
  std::chrono::microseconds elapsed{0};
};

// "127.0.0.1:50123 POST /echo HTTP/1.1 200 5 5 42us": remote, method, target, protocol,
// status, request body bytes, response body bytes, microseconds. A field the request lacked is
// "-". Characters of the target outside printable ASCII are written as %XX.
std::string log_line(const RequestLog& entry);

}  // namespace millrace::serve
