// Http1Protocol: HTTP/1.1 on a Link: keep-alive, pipelining with answers in request order,
// Expect: 100-continue, and the limits of Limits.
//
// Internal to lib/serve. Requests are read while fewer than Limits::max_pipelined are
// unanswered; each is handed to the handler as soon as it is whole, and its answer waits in a
// queue until those before it are written. Ready answers at the front go out in one write.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "serve/http1_reader.h"
#include "serve/link.h"

namespace millrace::serve::detail {

// The status line and header fields of `response` for HTTP/1.`version` (10 or 11),
// serialized by Beast, with Content-Length from its body (unless its status has none) and
// `Connection` saying whether the connection stays open.
std::string http1_wire_head(const Response& response, int version, bool keep_alive);

class Http1Protocol final : public Protocol {
 public:
  explicit Http1Protocol(Link& link);

  void start() override;
  void on_read(const error_code& ec) override;
  void on_written(const error_code& ec) override;
  void on_response(std::uint64_t slot, Response response) override;
  void on_stop() override;

 private:
  // An answer owed, in request order.
  struct Slot {
    std::uint64_t id = 0;
    bool interim = false;  // a 100 Continue before its request's answer
    bool ready = false;
    bool keep_alive = true;
    bool head_request = false;
    int version = 11;
    Response response;
    std::string wire_head;  // the status line and fields, made when written
    std::string method;     // for the log, when logging
    std::string target;
    std::size_t body_in = 0;
    Clock::time_point since;
  };

  // Parses what is buffered, hands out requests, then writes and reads as allowed.
  void process();
  Slot& push(bool ready);
  void write_ready();
  void read_more();
  void update_read_deadline();
  void log(const Slot& slot) const;

  Link& link_;
  Http1Reader reader_;
  std::deque<Slot> queue_;
  std::uint64_t next_id_ = 0;
  std::vector<net::const_buffer> buffers_;
  std::size_t in_write_ = 0;  // slots at the front of queue_ being written
  bool reading_ = false;
  bool processing_ = false;  // in process(): answers wait for its end to be written
  bool closing_ = false;   // no more requests: close once the queue is written
  bool stopping_ = false;  // the server stops: close after the request being read
  bool in_request_ = false;
  Clock::time_point request_start_;
  std::uint64_t request_bytes_ = 0;
  Clock::time_point idle_since_;
};

}  // namespace millrace::serve::detail
