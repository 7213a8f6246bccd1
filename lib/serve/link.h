// Link: what the protocols (HTTP/1.1, HTTP/2) need of a connection, and the choice between them.
//
// Internal to lib/serve. The protocols are written against this class only, so the code that
// serves a socket (Connection) is the code the fuzz target and the unit tests drive with no
// socket (ReplayConnection). A Link and its protocol are used from one thread at a time (the
// connection's thread); only deliver() (ResponseSink) may be called from any thread.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "serve/server.h"

namespace millrace::serve::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// What the server's connections share, fixed before the first one is accepted.
struct Settings {
  Limits limits;
  BodyLimit body_limit;
  LogHook log;
  Handler handler;

  std::size_t body_limit_for(const Request& head) const;
  // The latest time a transfer of `bytes` begun at `start` may end: request_timeout plus
  // bytes / min_rate (see Limits::request_timeout).
  Clock::time_point transfer_deadline(Clock::time_point start, std::uint64_t bytes) const;
};

// One protocol's side of a connection. The Link calls these on the connection's thread.
class Protocol {
 public:
  virtual ~Protocol() = default;
  // The connection's first bytes are in the link's input().
  virtual void start() = 0;
  // A read() ended: bytes were added to input(), or `ec` (net::error::eof: the peer ended its
  // side; anything else: the connection is closed).
  virtual void on_read(const error_code& ec) = 0;
  // A write() ended.
  virtual void on_written(const error_code& ec) = 0;
  // The handler's answer to request `slot`.
  virtual void on_response(std::uint64_t slot, Response response) = 0;
  // The server stops: answer what was read, read nothing new, then finish().
  virtual void on_stop() = 0;
};

class Link : public ResponseSink {
 public:
  Link(std::shared_ptr<const Settings> settings, std::string remote);
  ~Link() override;

  // ---- for the protocols ----
  const Settings& settings() const { return *settings_; }
  const Limits& limits() const { return settings_->limits; }
  // Bytes received and not yet consumed.
  beast::flat_buffer& input() { return input_; }
  std::string_view input_view() const;
  // Receives more into input(), then calls the protocol's on_read. REQUIRES: no read pending.
  virtual void read() = 0;
  // Writes `buffers` whole, then calls the protocol's on_written; the bytes must stay valid
  // until then. The write must end by settings().transfer_deadline(now, size) or the
  // connection is closed. REQUIRES: no write pending.
  virtual void write(const std::vector<net::const_buffer>& buffers) = 0;
  // Closes the connection if no read completes by `when` (Clock::time_point::max(): never).
  virtual void set_read_deadline(Clock::time_point when) = 0;
  // Closes at once; pending reads and writes end with an error.
  virtual void close() = 0;
  // Closes after what was written has gone: ends the sending side, then reads and drops what
  // the client still sends, briefly, so that it gets the last response rather than a reset.
  virtual void finish() = 0;
  virtual bool closed() const = 0;
  // Calls the handler with `request` and a Responder whose answer comes back to the protocol's
  // on_response(slot, ...).
  void dispatch(Request request, std::uint64_t slot);
  // Tells the log hook, if any.
  bool logging() const { return static_cast<bool>(settings_->log); }
  void log(RequestLog entry) const;
  const std::string& remote() const { return remote_; }

 protected:
  // ---- for the implementations (Connection, ReplayConnection) ----
  // Starts: reads the first bytes and picks the protocol from them.
  void open();
  // A read ended (after committing its bytes to input()).
  void read_done(const error_code& ec);
  void write_done(const error_code& ec);
  // An answer delivered, now on the connection's thread.
  void response_arrived(std::uint64_t slot, Response response);
  // True while the handler runs (called by dispatch()) on the connection's thread: an answer
  // it sends then may be given to answer_now(), which hands it over once the handler returns.
  bool dispatching() const { return dispatching_; }
  void answer_now(std::uint64_t slot, Response response);
  void stop();
  // The server must go on running while requests are unanswered: called when the first
  // request is handed to the handler and when the last answer arrives.
  virtual void hold(bool unanswered) = 0;
  virtual std::shared_ptr<ResponseSink> shared_sink() = 0;

 private:
  std::shared_ptr<const Settings> settings_;
  std::string remote_;
  beast::flat_buffer input_;
  std::unique_ptr<Protocol> protocol_;
  std::size_t unanswered_ = 0;
  bool first_bytes_ = false;
  bool dispatching_ = false;
  std::vector<std::pair<std::uint64_t, Response>> answered_now_;
};

// HTTP/2's client connection preface, which starts a connection with prior knowledge.
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class Protocols { undecided, http1, http2 };
// Which protocol a connection whose first bytes are `first` speaks: HTTP/2 when they begin
// with the preface, undecided while they are a shorter part of it, HTTP/1.1 otherwise.
Protocols recognise(std::string_view first);

}  // namespace millrace::serve::detail
