#include "serve/responder.h"

#include <utility>

namespace millrace::serve {

Responder::Responder(std::shared_ptr<ResponseSink> sink, std::uint64_t slot)
    : sink_(std::move(sink)), slot_(slot) {}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    answer_500();
    sink_ = std::move(other.sink_);
    slot_ = other.slot_;
  }
  return *this;
}

Responder::~Responder() { answer_500(); }

void Responder::send(Response response) {
  if (!sink_) return;
  ResponseSink& sink = *sink_;
  sink.deliver(std::move(sink_), slot_, std::move(response));
}

void Responder::answer_500() noexcept {
  if (!sink_) return;
  try {
    send(Response::error(500, "the request was dropped unanswered"));
  } catch (...) {
    // Out of memory while answering: the connection still holds the request and is closed
    // when the server stops; nothing better can be done from a destructor.
  }
}

}  // namespace millrace::serve
