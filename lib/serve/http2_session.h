// Http2Session: an HTTP/2 server session (nghttp2) with the limits of Limits, and no I/O.
//
// Internal to lib/serve. It takes the bytes a connection received (beginning with the client
// preface) and gives whole requests, with their stream ids, and the bytes to send. nghttp2 does
// the framing, HPACK, flow control and the protocol's checks; this class keeps the requests'
// heads and bodies within their limits and answers 413 and 431 itself.
//
// Flow control bounds what the streams of a connection make the server hold
// (Limits::max_connection_body_bytes). Each stream may send the first 64 KiB of its body
// (SETTINGS_INITIAL_WINDOW_SIZE: a usual request needs no more). A body longer than that (its
// Content-Length, else its body limit) is given a window for the whole of it, at once when the
// connection's streams hold less than the limit with it, or else once earlier streams have been
// answered, in the order the streams came; a body larger than the limit is let in alone. The
// server never renews a stream's window, so a stream sends what it was given and no more; the
// connection's window (16 MiB) is renewed as bytes arrive, never the bound. A refused stream is
// answered at once; what its client still sends of the body is dropped, and past 1 MiB the
// stream is reset (NO_ERROR, RFC 9113 section 8.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "serve/link.h"

struct nghttp2_session;

namespace millrace::serve::detail {

class Http2Session {
 public:
  // A stream that ended after an answer, for the log.
  struct Exchange {
    std::string method;
    std::string target;
    int status = 0;
    std::size_t body_in = 0;
    std::size_t body_out = 0;
    Clock::time_point since;  // when the request was whole, or refused
  };

  // Throws std::bad_alloc when nghttp2 cannot allocate the session.
  explicit Http2Session(const Settings& settings);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Takes bytes received. False when nghttp2 cannot go on (a bad preface, a flood): close the
  // connection. A protocol error of the peer is answered by a GOAWAY in the output, after which
  // wants_read() is false.
  bool receive(std::string_view bytes);
  // The requests that receive() completed, with their stream ids, in the order completed.
  std::vector<std::pair<std::int32_t, Request>> take_requests();
  // Answers stream `stream`; ignored when it has closed (its client reset it).
  void respond(std::int32_t stream, Response response);
  // Appends frames to send to `out` until it holds `max` bytes or none is left. False when
  // nghttp2 cannot go on: close the connection.
  bool take_output(std::string& out, std::size_t max);
  // The graceful end (the server stops): a GOAWAY naming the last stream begun; the streams up
  // to it go on, none is accepted after it.
  void shutdown();
  bool wants_read() const;
  // Nothing is left to read or write: close the connection.
  bool done() const;
  std::size_t open_streams() const { return streams_.size(); }
  // Streams whose request is not yet whole.
  std::size_t receiving_streams() const { return receiving_; }
  // Streams answered whose answer is not yet all given to take_output(): with nothing to
  // write, the client's flow-control window holds them back.
  std::size_t sending_streams() const { return sending_; }
  // Receiving streams that the server holds back, waiting for window until earlier streams are
  // answered: the client is not late with them.
  std::size_t waiting_streams() const { return waiting_count_; }
  // Request body bytes the connection's streams hold or were given window for, beyond their
  // first 64 KiB (Limits::max_connection_body_bytes bounds it).
  std::size_t held_body_bytes() const { return held_; }
  std::vector<Exchange> take_exchanges();

  // nghttp2's callbacks; public only to be named in the .cpp.
  struct Callbacks;

 private:
  struct Stream {
    Request request;
    std::string method;  // kept after the request is handed out, for the log
    std::string target;
    std::string authority;
    std::size_t header_bytes = 0;
    std::size_t header_count = 0;
    std::size_t body_limit = 0;
    std::size_t body_in = 0;
    std::size_t window = 0;    // the body the stream was let in for, beyond the initial window
    std::size_t held = 0;      // what of held_ is this stream's: its window, then its body
    bool waiting = false;      // in waiting_, for its window
    bool head = false;  // a HEAD request: its answer has no body
    bool receiving = true;
    bool refused = false;  // answered by the session itself (413, 431)
    std::size_t dropped = 0;  // body bytes received after the refusal
    bool reset = false;
    bool answered = false;
    Response response;
    std::size_t sent = 0;  // bytes of response.body given to nghttp2
    Clock::time_point since;
  };

  Stream* find(std::int32_t id);
  // The head of a request is whole; `has_body`: a body follows.
  void head_done(std::int32_t id, Stream& stream, bool has_body);
  void request_done(std::int32_t id, Stream& stream);
  void refuse(std::int32_t id, Stream& stream, int status, std::string message, bool submit_now);
  void submit(std::int32_t id, Stream& stream);
  // Gives stream `id` a window for a body of `bytes`, now or once there is room for it.
  void ask_window(std::int32_t id, Stream& stream, std::size_t bytes);
  bool room_for(std::size_t bytes) const;
  void give_window(std::int32_t id, Stream& stream);
  // The stream holds `bytes` of body from now on (0: none); windows go to waiting streams that
  // fit in what is freed.
  void hold(Stream& stream, std::size_t bytes);
  void give_waiting_windows();

  const Settings& settings_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, Stream> streams_;  // nodes stay put: nghttp2 holds pointers
  std::vector<std::pair<std::int32_t, Request>> requests_;
  std::vector<Exchange> exchanges_;
  std::size_t receiving_ = 0;
  std::size_t sending_ = 0;
  std::size_t held_ = 0;
  std::deque<std::int32_t> waiting_;  // ids asking for a window, in order; some may have left
  std::size_t waiting_count_ = 0;     // those still waiting
  bool shut_down_ = false;
};

}  // namespace millrace::serve::detail
