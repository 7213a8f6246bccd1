// ReplayConnection: one connection served with no socket, for the fuzz target and the tests.
//
// The bytes given to receive() go through exactly the code that serves a socket: the choice
// between HTTP/1.1 and HTTP/2, Beast's parser or nghttp2's session, the limits, the ordering of
// answers, the handler and its Responders. Deadlines are not kept (no time passes). Whatever
// the server writes is collected for take_output(). Everything runs on the calling thread,
// within the calls: an answer sent between two calls (from the handler, or by the test) takes
// effect at the start of the next. Not thread-safe: Responders are answered on that thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "serve/server.h"

namespace millrace::serve {

class ReplayConnection {
 public:
  ReplayConnection(const Limits& limits, Handler handler, BodyLimit body_limit = {});
  ~ReplayConnection();
  ReplayConnection(const ReplayConnection&) = delete;
  ReplayConnection& operator=(const ReplayConnection&) = delete;

  // Bytes from the client. The server reads them (in reads of at most `read_size` bytes)
  // while it reads, as a socket would hold them while it does not.
  void receive(std::string_view bytes, std::size_t read_size = 32 << 10);
  // The client ends its side of the connection.
  void end();
  // The server stops (Server::stop).
  void stop();
  // What the server wrote since the last call.
  std::string take_output();
  // The server has closed the connection (or finished it, its sending side ended).
  bool closed();
  // Requests handed to the handler so far.
  std::size_t requests();

 private:
  class Loop;
  std::shared_ptr<Loop> link_;
};

}  // namespace millrace::serve
