#include "serve/http1_reader.h"

#include <fmt/format.h>

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>

namespace millrace::serve::detail {

namespace http = boost::beast::http;

Http1Reader::Result Http1Reader::parse(std::string_view input, std::size_t& used) {
  used = 0;
  if (!parser_) {
    if (input.empty()) return {};
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(settings_.limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // Beast would compare Content-Length with this limit inside the head's parse, before the
    // request's own limit can be picked from the head; check_head() compares it. (Beast 1.74
    // takes boost::none here for "no limit" but then refuses every Content-Length.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    head_checked_ = false;
  }
  for (;;) {
    if (parser_->is_header_done() && !head_checked_) {
      head_checked_ = true;
      if (auto refused = check_head()) return std::move(*refused);
      if (!parser_->is_done() && head_.headers.find("Expect") &&
          iequals(*head_.headers.find("Expect"), "100-continue") && head_.version == 11) {
        Result result;
        result.outcome = Outcome::continue_expected;
        return result;
      }
    }
    if (parser_->is_done()) return complete();
    if (used == input.size()) return {};
    error_code ec;
    std::size_t n = parser_->put(net::buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (ec == http::error::need_more) return {};
    if (ec) return failure(ec);
    if (n == 0 && !parser_->is_done() && !(parser_->is_header_done() && !head_checked_)) return {};
  }
}

std::optional<Http1Reader::Result> Http1Reader::check_head() {
  const auto& message = parser_->get();
  const Limits& limits = settings_.limits;
  head_ = Request{};
  head_.method = std::string(message.method_string());
  head_.target = std::string(message.target());
  head_.version = static_cast<int>(message.version());
  auto count = static_cast<std::size_t>(std::distance(message.begin(), message.end()));
  if (count > limits.max_header_count)
    return refusal(431, fmt::format("the request has {} header fields, more than the limit of {}", count,
                                    limits.max_header_count));
  for (const auto& field : message) head_.headers.add(std::string(field.name_string()), std::string(field.value()));
  body_limit_ = settings_.body_limit_for(head_);
  if (auto length = parser_->content_length(); length && *length > body_limit_)
    return refusal(413, fmt::format("the request body of {} bytes is larger than the limit of {} bytes", *length,
                                    body_limit_));
  parser_->body_limit(body_limit_);
  parser_->eager(true);
  return std::nullopt;
}

Http1Reader::Result Http1Reader::failure(const error_code& ec) const {
  if (ec == http::error::header_limit)
    return refusal(431, fmt::format("the request head is larger than the limit of {} bytes",
                                    settings_.limits.max_header_bytes));
  if (ec == http::error::body_limit)
    return refusal(413, fmt::format("the request body is larger than the limit of {} bytes", body_limit_));
  return refusal(400, "malformed HTTP/1.1 request: " + ec.message());
}

Http1Reader::Result Http1Reader::refusal(int status, std::string message) const {
  Result result;
  result.outcome = Outcome::error;
  result.status = status;
  result.message = std::move(message);
  if (head_checked_) {  // for the log
    result.request.method = head_.method;
    result.request.target = head_.target;
    result.request.version = head_.version;
  }
  return result;
}

Http1Reader::Result Http1Reader::complete() {
  auto message = parser_->release();
  parser_.reset();
  head_checked_ = false;
  Result result;
  result.outcome = Outcome::request;
  result.keep_alive = message.keep_alive();
  result.request = std::move(head_);
  result.request.body = std::move(message.body());
  return result;
}

Http1Reader::Result Http1Reader::end_of_input(bool unconsumed) const {
  if (unconsumed || (parser_ && parser_->got_some()))
    return refusal(400, "truncated request: the connection ended inside it");
  return {};
}

}  // namespace millrace::serve::detail
