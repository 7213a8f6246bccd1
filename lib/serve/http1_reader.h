// Http1Reader: HTTP/1.1 requests out of a connection's bytes, one after another, with the
// limits applied; Beast's parser does the parsing.
//
// Internal to lib/serve; no I/O: the protocol hands it what the connection received.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "serve/link.h"

namespace millrace::serve::detail {

class Http1Reader {
 public:
  enum class Outcome {
    need_more,          // give parse() the same bytes and more
    continue_expected,  // the head asks `Expect: 100-continue` and its body is within its limit
    request,            // a whole request
    error,              // a bad request: answer `status`, then close the connection
  };
  struct Result {
    Outcome outcome = Outcome::need_more;
    Request request;         // Outcome::request; Outcome::error: the method and target, if read
    bool keep_alive = true;  // Outcome::request: the client keeps the connection after it
    int status = 0;          // Outcome::error: 400, 413 or 431
    std::string message;     // Outcome::error
  };

  explicit Http1Reader(const Settings& settings) : settings_(settings) {}

  // Parses from the start of `input`, the bytes received and not yet consumed. `used` is set to
  // how many bytes of it were consumed; drop them before the next call. A request's head is
  // consumed only once whole, so `input` must hold it whole (up to Limits::max_header_bytes).
  Result parse(std::string_view input, std::size_t& used);
  // The client ended its side: an error when a request was left partly read.
  // `unconsumed` is whether bytes remain that parse() did not consume.
  Result end_of_input(bool unconsumed) const;

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  std::optional<Result> check_head();
  Result failure(const error_code& ec) const;
  // An error answer; it names the request's method and target when its head was read.
  Result refusal(int status, std::string message) const;
  Result complete();

  const Settings& settings_;
  std::optional<Parser> parser_;
  bool head_checked_ = false;
  Request head_;
  std::size_t body_limit_ = 0;
};

}  // namespace millrace::serve::detail
