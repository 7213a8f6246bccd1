#include "serve/responder.h"

#include <doctest/doctest.h>

#include <memory>
#include <utility>
#include <vector>

using namespace millrace::serve;

namespace {
struct Sink : ResponseSink {
  std::vector<std::pair<std::uint64_t, int>> answers;
  void deliver(std::uint64_t slot, Response response) override { answers.emplace_back(slot, response.status); }
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
}
