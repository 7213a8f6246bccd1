// A handler for the tests of lib/serve that keeps its requests, to answer them later.
#pragma once

#include <vector>

#include "serve/server.h"

namespace millrace::test {

struct HeldRequests {
  std::vector<serve::Request> requests;
  std::vector<serve::Responder> responders;

  serve::Handler handler() {
    return [this](serve::Request request, serve::Responder responder) {
      requests.push_back(std::move(request));
      responders.push_back(std::move(responder));
    };
  }
};

}  // namespace millrace::test
