#include "serve/http2_protocol.h"

#include <chrono>
#include <utility>

namespace millrace::serve::detail {

namespace {
// Frames are gathered up to this much a write: a 5 MiB answer goes in 80 writes, not 320 of
// 16 KiB DATA frames each.
constexpr std::size_t kWriteChunk = 64 << 10;
}  // namespace

Http2Protocol::Http2Protocol(Link& link)
    : link_(link), session_(link.settings()), idle_since_(Clock::now()) {}

void Http2Protocol::start() { feed(); }

void Http2Protocol::feed() {
  std::string_view bytes = link_.input_view();
  if (!session_.receive(bytes)) failed_ = true;
  received_ += bytes.size();
  link_.input().consume(bytes.size());
  feeding_ = true;
  for (auto& [stream, request] : session_.take_requests())
    link_.dispatch(std::move(request), static_cast<std::uint64_t>(stream));
  feeding_ = false;
  flush();
  read_more();
}

void Http2Protocol::on_read(const error_code& ec) {
  reading_ = false;
  if (ec) {  // the client is gone, or too slow
    link_.close();
    return;
  }
  feed();
}

void Http2Protocol::on_response(std::uint64_t slot, Response response) {
  session_.respond(static_cast<std::int32_t>(slot), std::move(response));
  if (feeding_) return;  // feed() writes the answers given while it hands out requests
  flush();
  read_more();
}

void Http2Protocol::on_stop() {
  session_.shutdown();
  flush();
  read_more();
}

void Http2Protocol::flush() {
  if (writing_ || link_.closed()) return;
  out_.clear();
  if (!session_.take_output(out_, kWriteChunk)) failed_ = true;
  log_exchanges();
  if (out_.empty()) {
    if (failed_ || session_.done()) link_.close();
    return;
  }
  writing_ = true;
  buffers_.assign(1, net::buffer(out_));
  link_.write(buffers_);
}

void Http2Protocol::on_written(const error_code& ec) {
  writing_ = false;
  if (ec) {
    link_.close();
    return;
  }
  flush();
  read_more();
}

void Http2Protocol::read_more() {
  if (link_.closed()) return;
  if (failed_ || !session_.wants_read()) {
    if (!writing_) link_.close();  // else closed once the last frames are written
    return;
  }
  update_read_deadline();
  if (reading_) return;
  reading_ = true;
  link_.read();
}

void Http2Protocol::update_read_deadline() {
  Clock::time_point now = Clock::now();
  // Streams the server holds back (waiting for a window) are not the client's to hurry.
  bool receiving = session_.receiving_streams() > session_.waiting_streams();
  if (receiving && !was_receiving_) {
    receiving_since_ = now;
    received_at_start_ = received_;
  }
  was_receiving_ = receiving;
  bool open = session_.open_streams() > 0;
  if (!open && was_open_) idle_since_ = now;
  was_open_ = open;
  bool stalled = !writing_ && session_.sending_streams() > 0;
  if (stalled && !was_stalled_) stalled_since_ = now;
  was_stalled_ = stalled;
  if (receiving)
    link_.set_read_deadline(link_.settings().transfer_deadline(receiving_since_, received_ - received_at_start_));
  else if (stalled)  // answers wait for the client to open its window
    link_.set_read_deadline(stalled_since_ + link_.limits().request_timeout);
  else if (!open)
    link_.set_read_deadline(idle_since_ + link_.limits().idle_timeout);
  else  // the client waits for answers
    link_.set_read_deadline(Clock::time_point::max());
}

void Http2Protocol::log_exchanges() {
  for (const Http2Session::Exchange& exchange : session_.take_exchanges()) {
    RequestLog entry;
    entry.method = exchange.method;
    entry.target = exchange.target;
    entry.version = 20;
    entry.status = exchange.status;
    entry.body_in = exchange.body_in;
    entry.body_out = exchange.body_out;
    entry.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchange.since);
    link_.log(entry);
  }
}

}  // namespace millrace::serve::detail
