// Responder: the one answer a request is owed.
//
// The server hands each complete request to the handler with a Responder. The handler answers
// with send(), at once or later and from any thread (a write is answered once its grouped
// commit is durable). send() only queues the response for the connection's own thread, so it
// never blocks and never runs server code on the caller's thread. Responses on one HTTP/1.1
// connection are written in request order whatever the order of the sends; HTTP/2 streams are
// answered each as its response comes.
//
// A Responder is move-only and answers once. Destroyed without answering (a handler that
// throws, or drops it), it answers 500. It keeps its connection's state alive, not its
// socket: the answer to a request whose client has gone is dropped. Every Responder must be
// answered or destroyed for Server::run() to return, and before the Server is destroyed.
#pragma once

#include <cstdint>
#include <memory>

#include "serve/message.h"

namespace millrace::serve {

// Where a Responder's answer goes: the connection that read the request (or a test's stand-in).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Takes the answer to request `slot`, and `self`, the caller's reference to this sink. May be
  // called from any thread. The reference is let go where the answer is taken, on the
  // connection's thread: let go on the caller's, after the answer was written and the server
  // had ended, it would destroy a connection whose server is gone.
  virtual void deliver(std::shared_ptr<ResponseSink> self, std::uint64_t slot, Response response) = 0;
};

class Responder {
 public:
  Responder() = default;  // answers nothing
  Responder(std::shared_ptr<ResponseSink> sink, std::uint64_t slot);
  Responder(Responder&& other) noexcept = default;
  // An unanswered Responder assigned over answers 500 first.
  Responder& operator=(Responder&& other) noexcept;
  ~Responder();

  // Answers the request. REQUIRES: not answered yet (a second send is ignored).
  void send(Response response);
  // True until answered.
  explicit operator bool() const { return sink_ != nullptr; }

 private:
  void answer_500() noexcept;

  std::shared_ptr<ResponseSink> sink_;
  std::uint64_t slot_ = 0;
};

}  // namespace millrace::serve
