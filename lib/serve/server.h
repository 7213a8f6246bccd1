// Server: gw-serve's HTTP server, knowing nothing of the APIs it serves.
//
// It listens on one address and port and speaks, on that port:
// - HTTP/1.1 (and 1.0): keep-alive, pipelining with the answers written in request order,
//   `Expect: 100-continue` answered when the body is within its limit;
// - HTTP/2 over cleartext with prior knowledge: a connection whose first bytes are HTTP/2's
//   client preface is served as HTTP/2, streams answered independently. This is how the AWS
//   SDKs that use HTTP/2 for Kinesis (JavaScript v3, Java v2) and curl
//   --http2-prior-knowledge speak to a cleartext endpoint; the upgrade from HTTP/1.1
//   (`Upgrade: h2c`) is not offered, no SDK uses it, and such a request is served as HTTP/1.1.
//
// Each complete request (head and body) goes to the handler with a Responder, on one of the
// server's threads; the handler returns at once and answers through the Responder then or
// later, from any thread. The server answers by itself, with Response::error's JSON shape:
// 400 for malformed HTTP/1.1 (and a truncated request, when the client ends its side first),
// 431 for a head past Limits::max_header_bytes or max_header_count, 413 for a body past its
// limit, 503 for a connection past Limits::max_connections, 500 for a request whose Responder
// was dropped. After 400, 413 and 431, an HTTP/1.1 connection is closed. Routing, methods and
// API errors are the handler's. No input makes the server fail: a bad connection is closed,
// the others go on.
//
// Threads: run() serves on Options::threads threads; each connection's work runs on one of them
// at a time, so the handler is called for one connection's requests one after another, in
// order. stop() may be called from any thread, a signal's helper or a handler included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "serve/limits.h"
#include "serve/message.h"
#include "serve/request_log.h"
#include "serve/responder.h"

namespace millrace::serve {

// Called once for each complete request, on a server thread; must not block (a slow handler
// stalls every connection of that thread). An exception it throws is swallowed and the request
// answered 500.
using Handler = std::function<void(Request request, Responder responder)>;
// The body limit of a request, picked from its head (method, target, headers; no body yet),
// before its body is read. Called on a server thread; must not throw.
using BodyLimit = std::function<std::size_t(const Request& head)>;
// Told of every answered request when set (for -v). Called on a server thread.
using LogHook = std::function<void(const RequestLog& entry)>;

struct ServerOptions {
  // "HOST:PORT", HOST an IPv4 or IPv6 address ("[::1]:4566") or "localhost"; port 0 picks a
  // free port (port() tells which).
  std::string listen = "127.0.0.1:4566";
  unsigned threads = 0;  // 0: one per core
  Limits limits;
  BodyLimit body_limit;  // unset: limits.max_body_bytes for every request
  LogHook log;           // unset: no log
};

class Server {
 public:
  // Binds and listens at once, so that port() is known before run().
  // Throws cli::Error: usage (64) for an address that is not one, unavailable (69) when it
  // cannot listen there (in use, not local, not permitted).
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  // The bound address and port: "127.0.0.1:4566", "[::1]:4566".
  std::string local_address() const;

  // Serves until stop() and, after it, until the requests in flight are answered and written.
  // Call it once.
  void run();
  // Stops accepting connections and reading new requests; requests already read (or being
  // read) are answered, with `Connection: close` on HTTP/1.1 and a GOAWAY on HTTP/2, then each
  // connection is closed. Idle connections are closed at once. Thread-safe, idempotent.
  void stop();
  // Runs `work` on the server's first thread, after what that thread has to do now: called from
  // a handler of a server of one thread, after the answers the handler gave are written, and
  // before a request that arrives later is read. Thread-safe; `work` must not block.
  void post(std::function<void()> work);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::serve
