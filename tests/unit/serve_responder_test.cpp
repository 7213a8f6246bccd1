#include "serve/responder.h"

#include <doctest/doctest.h>

#include <memory>
#include <utility>
#include <vector>

using namespace millrace::serve;

namespace {
struct Sink : ResponseSink {
  std::vector<std::pair<std::uint64_t, int>> answers;
  std::shared_ptr<ResponseSink> last_given;  // the reference that came with the last answer
  void deliver(std::shared_ptr<ResponseSink> self, std::uint64_t slot, Response response) override {
    answers.emplace_back(slot, response.status);
    last_given = std::move(self);
  }
};
}  // namespace

TEST_CASE("a responder answers once; dropped unanswered it answers 500") {
  auto sink = std::make_shared<Sink>();
  {
    Responder answered(sink, 1);
    Response ok;
    ok.status = 204;
    answered.send(ok);
    CHECK_FALSE(answered);
    answered.send(ok);  // ignored
    Responder dropped(sink, 2);
    Responder moved = std::move(dropped);
    CHECK(moved);
  }
  REQUIRE(sink->answers.size() == 2);
  CHECK(sink->answers[0] == std::pair<std::uint64_t, int>{1, 204});
  CHECK(sink->answers[1] == std::pair<std::uint64_t, int>{2, 500});
  sink->last_given.reset();  // no cycle left for the leak checker
}

TEST_CASE("a responder hands its reference to the sink with the answer and keeps none") {
  // A reference kept by the answering thread, let go after the connection's thread has written
  // the answer and the server has ended, would destroy the connection after its server.
  auto sink = std::make_shared<Sink>();
  Responder responder(sink, 7);
  CHECK(sink.use_count() == 2);
  responder.send(Response{});
  CHECK(sink->last_given.get() == sink.get());
  CHECK(sink.use_count() == 2);  // the test's and the one the sink was given
  sink->last_given.reset();
  CHECK(sink.use_count() == 1);
}
