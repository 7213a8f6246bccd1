// Serving until a stop signal: how gw-serve (and the test server) end cleanly.
#pragma once

#include <functional>

#include "serve/server.h"

namespace millrace::serve {

// Runs `server` (Server::run) until SIGINT or SIGTERM arrives, then stops it as Server::stop
// does (the requests in flight answered) and returns the signal's number once it has stopped;
// 0 if it stopped otherwise. `on_stop`, when given, is called as the signal arrives (on another
// thread), to end what the requests in flight wait for. While it runs, those signals are the
// server's: they no longer end the process. Call it from the main thread. Throws what
// Server::run throws.
int run_until_signal(Server& server, const std::function<void()>& on_stop = {});

}  // namespace millrace::serve
