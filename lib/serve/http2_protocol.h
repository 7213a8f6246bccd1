// Http2Protocol: HTTP/2 with prior knowledge on a Link, the session's bytes in and out.
//
// Internal to lib/serve. The connection is read without pause (nghttp2's flow control bounds
// what a client may send ahead); each whole request goes to the handler, each answer is
// submitted as it comes, and the frames are written as they are made, one write at a time.
//
// Deadlines: while a stream's request is arriving, the bytes received since the first such
// stream began must keep up with Limits::min_rate after Limits::request_timeout; with no stream
// open the connection is idle and closed after Limits::idle_timeout (control frames such as
// PING do not keep it); when answers wait for the client's flow-control window, it must open it
// within Limits::request_timeout; with streams waiting for answers only, the client is not
// held to any.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serve/http2_session.h"
#include "serve/link.h"

namespace millrace::serve::detail {

class Http2Protocol final : public Protocol {
 public:
  explicit Http2Protocol(Link& link);

  void start() override;
  void on_read(const error_code& ec) override;
  void on_written(const error_code& ec) override;
  void on_response(std::uint64_t slot, Response response) override;
  void on_stop() override;

 private:
  // Hands the session what was received, and its requests to the handler.
  void feed();
  void flush();
  void read_more();
  void update_read_deadline();
  void log_exchanges();

  Link& link_;
  Http2Session session_;
  std::string out_;
  std::vector<net::const_buffer> buffers_;
  bool reading_ = false;
  bool writing_ = false;
  bool feeding_ = false;  // in feed(): answers wait for its end to be written
  bool failed_ = false;  // the session cannot go on: write what it has, then close
  std::uint64_t received_ = 0;
  bool was_receiving_ = false;
  Clock::time_point receiving_since_;
  std::uint64_t received_at_start_ = 0;
  bool was_open_ = false;
  Clock::time_point idle_since_;
  bool was_stalled_ = false;
  Clock::time_point stalled_since_;
};

}  // namespace millrace::serve::detail
