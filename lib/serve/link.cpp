#include "serve/link.h"

#include <algorithm>
#include <utility>

#include "serve/http1_protocol.h"
#include "serve/http2_protocol.h"

namespace millrace::serve::detail {

std::size_t Settings::body_limit_for(const Request& head) const {
  return body_limit ? body_limit(head) : limits.max_body_bytes;
}

Clock::time_point Settings::transfer_deadline(Clock::time_point start, std::uint64_t bytes) const {
  Clock::time_point deadline = start + limits.request_timeout;
  if (limits.min_rate > 0) deadline += std::chrono::microseconds(bytes * 1'000'000 / limits.min_rate);
  return deadline;
}

Link::Link(std::shared_ptr<const Settings> settings, std::string remote)
    : settings_(std::move(settings)), remote_(std::move(remote)) {}

Link::~Link() = default;

std::string_view Link::input_view() const {
  auto data = input_.data();
  return {static_cast<const char*>(data.data()), data.size()};
}

void Link::dispatch(Request request, std::uint64_t slot) {
  request.remote = remote_;
  if (unanswered_++ == 0) hold(true);
  Responder responder(shared_sink(), slot);
  dispatching_ = true;
  try {
    settings_->handler(std::move(request), std::move(responder));
  } catch (...) {
    // The handler's contract is to answer; one that throws has dropped its Responder, which
    // answers 500 as it is destroyed. The connection and the server go on.
  }
  dispatching_ = false;
  for (auto& [answered, response] : std::exchange(answered_now_, {})) response_arrived(answered, std::move(response));
}

void Link::answer_now(std::uint64_t slot, Response response) { answered_now_.emplace_back(slot, std::move(response)); }

void Link::log(RequestLog entry) const {
  if (!settings_->log) return;
  entry.remote = remote_;
  settings_->log(entry);
}

void Link::open() {
  // Until its first byte a new connection is idle; from it, the preface or request line must
  // come as any request does.
  set_read_deadline(Clock::now() + limits().idle_timeout);
  read();
}

void Link::read_done(const error_code& ec) {
  if (protocol_) {
    protocol_->on_read(ec);
    return;
  }
  if (ec) {
    close();
    return;
  }
  switch (recognise(input_view())) {
    case Protocols::undecided:
      if (!first_bytes_) {
        first_bytes_ = true;
        set_read_deadline(settings_->transfer_deadline(Clock::now(), kHttp2Preface.size()));
      }
      read();
      return;
    case Protocols::http1:
      protocol_ = std::make_unique<Http1Protocol>(*this);
      break;
    case Protocols::http2:
      protocol_ = std::make_unique<Http2Protocol>(*this);
      break;
  }
  protocol_->start();
}

void Link::write_done(const error_code& ec) {
  if (protocol_) protocol_->on_written(ec);
}

void Link::response_arrived(std::uint64_t slot, Response response) {
  if (--unanswered_ == 0) hold(false);
  if (protocol_ && !closed()) protocol_->on_response(slot, std::move(response));
}

void Link::stop() {
  if (closed()) return;
  if (protocol_)
    protocol_->on_stop();
  else
    close();
}

Protocols recognise(std::string_view first) {
  std::size_t n = std::min(first.size(), kHttp2Preface.size());
  if (first.substr(0, n) != kHttp2Preface.substr(0, n)) return Protocols::http1;
  return n == kHttp2Preface.size() ? Protocols::http2 : Protocols::undecided;
}

}  // namespace millrace::serve::detail
