#include "serve/http1_protocol.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>

#include <chrono>
#include <utility>

namespace millrace::serve::detail {

namespace http = boost::beast::http;

namespace {

// At most this much is gathered into one write of ready answers (a bound on the iovec).
constexpr std::size_t kWriteBatch = 64 << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The fields the server sets itself (see Response).
bool framing(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection");
}

}  // namespace

std::string http1_wire_head(const Response& response, int version, bool keep_alive) {
  http::response<http::empty_body> message;
  message.version(version == 10 ? 10 : 11);
  message.result(response.status >= 100 && response.status <= 999 ? static_cast<unsigned>(response.status) : 500u);
  for (const Header& field : response.headers)
    if (!framing(field.name)) message.insert(field.name, field.value);
  if (Response::has_content(response.status)) message.content_length(response.body.size());
  message.keep_alive(keep_alive);
  http::response_serializer<http::empty_body> serializer(message);
  std::string out;
  error_code ec;
  while (!ec && !serializer.is_done()) {
    serializer.next(ec, [&](error_code&, const auto& buffers) {
      std::size_t size = 0;
      for (auto buffer : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
        size += buffer.size();
      }
      serializer.consume(size);
    });
  }
  return out;
}

Http1Protocol::Http1Protocol(Link& link) : link_(link), reader_(link.settings()), idle_since_(Clock::now()) {}

void Http1Protocol::start() { process(); }

Http1Protocol::Slot& Http1Protocol::push(bool ready) {
  Slot& slot = queue_.emplace_back();
  slot.id = next_id_++;
  slot.ready = ready;
  slot.since = Clock::now();
  return slot;
}

void Http1Protocol::process() {
  const Limits& limits = link_.limits();
  bool need_more = false;
  processing_ = true;
  while (!need_more && !closing_ && queue_.size() < limits.max_pipelined && link_.input().size() > 0) {
    if (!in_request_) {
      in_request_ = true;
      request_start_ = Clock::now();
      request_bytes_ = 0;
    }
    std::size_t used = 0;
    Http1Reader::Result result = reader_.parse(link_.input_view(), used);
    link_.input().consume(used);
    request_bytes_ += used;
    switch (result.outcome) {
      case Http1Reader::Outcome::need_more:
        need_more = true;
        break;
      case Http1Reader::Outcome::continue_expected: {
        Slot& slot = push(true);
        slot.interim = true;
        break;
      }
      case Http1Reader::Outcome::request: {
        in_request_ = false;
        Slot& slot = push(false);
        slot.keep_alive = result.keep_alive;
        slot.version = result.request.version;
        slot.head_request = result.request.method == "HEAD";
        slot.body_in = result.request.body.size();
        if (link_.logging()) {
          slot.method = result.request.method;
          slot.target = result.request.target;
        }
        if (!result.keep_alive || stopping_) closing_ = true;
        link_.dispatch(std::move(result.request), slot.id);
        break;
      }
      case Http1Reader::Outcome::error: {
        in_request_ = false;
        Slot& slot = push(true);
        slot.keep_alive = false;
        slot.response = Response::error(result.status, result.message);
        if (link_.logging()) {
          slot.method = result.request.method;
          slot.target = result.request.target;
        }
        closing_ = true;
        break;
      }
    }
  }
  processing_ = false;
  write_ready();
  read_more();
}

void Http1Protocol::read_more() {
  if (link_.closed()) return;
  if (closing_) {
    if (queue_.empty() && in_write_ == 0) link_.finish();
    return;
  }
  if (!reading_ && queue_.size() >= link_.limits().max_pipelined) {
    // Paused until an answer is written: the client is not the one keeping us waiting.
    link_.set_read_deadline(Clock::time_point::max());
    return;
  }
  update_read_deadline();
  if (reading_) return;
  reading_ = true;
  link_.read();
}

void Http1Protocol::update_read_deadline() {
  if (in_request_)
    link_.set_read_deadline(link_.settings().transfer_deadline(request_start_, request_bytes_ + link_.input().size()));
  else if (queue_.empty())
    link_.set_read_deadline(idle_since_ + link_.limits().idle_timeout);
  else  // the client waits for answers
    link_.set_read_deadline(Clock::time_point::max());
}

void Http1Protocol::on_read(const error_code& ec) {
  reading_ = false;
  if (ec == net::error::eof) {
    // The client sent all it will; it may still read the answers it is owed.
    Http1Reader::Result end = reader_.end_of_input(link_.input().size() > 0);
    if (!closing_ && end.outcome == Http1Reader::Outcome::error) {
      Slot& slot = push(true);
      slot.keep_alive = false;
      slot.response = Response::error(end.status, end.message);
    }
    in_request_ = false;
    closing_ = true;
    write_ready();
    read_more();
    return;
  }
  if (ec) {
    link_.close();
    return;
  }
  process();
}

void Http1Protocol::on_response(std::uint64_t slot, Response response) {
  if (queue_.empty() || slot < queue_.front().id || slot - queue_.front().id >= queue_.size()) return;
  Slot& owed = queue_[slot - queue_.front().id];
  owed.response = std::move(response);
  owed.ready = true;
  // Answers given while process() hands out requests go out together once it is done.
  if (!processing_) write_ready();
}

void Http1Protocol::write_ready() {
  if (in_write_ > 0 || link_.closed()) return;
  buffers_.clear();
  std::size_t bytes = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    Slot& slot = queue_[i];
    if (!slot.ready || (count > 0 && bytes >= kWriteBatch)) break;
    ++count;
    if (slot.interim) {
      buffers_.push_back(net::buffer(kContinue.data(), kContinue.size()));
      bytes += kContinue.size();
      continue;
    }
    // Once the connection is closing, its last answer says so.
    slot.keep_alive = slot.keep_alive && !(closing_ && i + 1 == queue_.size());
    slot.wire_head = http1_wire_head(slot.response, slot.version, slot.keep_alive);
    buffers_.push_back(net::buffer(slot.wire_head));
    bytes += slot.wire_head.size();
    if (!slot.head_request && Response::has_content(slot.response.status) && !slot.response.body.empty()) {
      buffers_.push_back(net::buffer(slot.response.body));
      bytes += slot.response.body.size();
    }
    if (!slot.keep_alive) break;
  }
  if (count == 0) return;
  in_write_ = count;
  link_.write(buffers_);
}

void Http1Protocol::on_written(const error_code& ec) {
  std::size_t written = in_write_;
  in_write_ = 0;
  if (ec) {
    link_.close();
    return;
  }
  bool keep_alive = true;
  for (std::size_t i = 0; i < written; ++i) {
    const Slot& slot = queue_.front();
    if (!slot.interim) {
      log(slot);
      keep_alive = slot.keep_alive;
    }
    queue_.pop_front();
  }
  if (!keep_alive) {
    closing_ = true;
    link_.finish();
    return;
  }
  if (queue_.empty()) idle_since_ = Clock::now();
  process();
}

void Http1Protocol::on_stop() {
  stopping_ = true;
  // A request partly read is read to its end and answered; none is begun after it.
  if (!in_request_) closing_ = true;
  write_ready();
  read_more();
}

void Http1Protocol::log(const Slot& slot) const {
  if (!link_.logging()) return;
  RequestLog entry;
  entry.method = slot.method;
  entry.target = slot.target;
  entry.version = slot.version;
  entry.status = slot.response.status;
  entry.body_in = slot.body_in;
  entry.body_out = slot.head_request ? 0 : slot.response.body.size();
  entry.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - slot.since);
  link_.log(entry);
}

}  // namespace millrace::serve::detail
