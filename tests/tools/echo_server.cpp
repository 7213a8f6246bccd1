// echo_server: lib/serve's HTTP server with a handler made for its tests and benchmark.
//
// echo_server [--listen HOST:PORT] [--threads N] [--max-header-bytes N] [--max-header-count N]
//             [--max-body N] [--max-connections N] [--idle-timeout MS] [--request-timeout MS]
//             [--min-rate N] [--max-pipelined N] [--max-streams N] [--max-connection-body N] [-v]
//
// Prints "listening on HOST:PORT" on stdout once it listens, serves until SIGINT or SIGTERM,
// then prints "stopped on signal N" once every request in flight is answered. With -v, one
// log line a request on stderr. Routes:
//   /echo               200, the request's body; x-method, x-version: the request's
//   /small              as /echo, with a body limit of 1 KiB (the body_limit hook)
//   /sleep?ms=N         200 "slept N", answered N ms later from another thread
//   /drop               the Responder dropped unanswered: the server answers 500
//   /header?name=NAME   200, the value of the request's field NAME (any case); 404 without one
//   anything else       404
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "serve/server.h"
#include "serve/signals.h"

using namespace millrace;
using Clock = std::chrono::steady_clock;

namespace {

// Answers requests later, from a thread of its own, as a grouped commit would.
class Delayer {
 public:
  Delayer() : thread_([this] { run(); }) {}
  ~Delayer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void answer_at(Clock::time_point when, serve::Responder responder, serve::Response response) {
    {
      std::lock_guard lock(mutex_);
      due_.emplace(when, Due{std::move(responder), std::move(response)});
    }
    wake_.notify_one();
  }

 private:
  struct Due {
    serve::Responder responder;
    serve::Response response;
  };
  void run() {
    std::unique_lock lock(mutex_);
    while (!done_ || !due_.empty()) {
      if (due_.empty()) {
        wake_.wait(lock);
      } else if (due_.begin()->first > Clock::now()) {
        wake_.wait_until(lock, due_.begin()->first);
      } else {
        Due due = std::move(due_.begin()->second);
        due_.erase(due_.begin());
        lock.unlock();
        due.responder.send(std::move(due.response));
        lock.lock();
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<Clock::time_point, Due> due_;
  bool done_ = false;
  std::thread thread_;
};

std::string_view query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.substr(0, pair.find('=')) == key && pair.find('=') != std::string_view::npos)
      return pair.substr(pair.find('=') + 1);
  }
  return {};
}

serve::Response text(int status, std::string body) {
  serve::Response response;
  response.status = status;
  response.headers.add("Content-Type", "text/plain");
  response.body = std::move(body);
  return response;
}

}  // namespace

int main(int argc, char** argv) {
  cli::App app{"echo_server", "serve echo, delayed and dropped answers over HTTP/1.1 and HTTP/2",
               cli::App::Store::unused};
  serve::ServerOptions options;
  options.listen = "127.0.0.1:0";
  serve::Limits& limits = options.limits;
  auto& p = app.parser();
  p.add_option("--listen", options.listen, "address and port (port 0: any free one)")->option_text("HOST:PORT");
  p.add_option("--threads", options.threads, "I/O threads (0: one per core)")->option_text("N");
  p.add_option("--max-header-bytes", limits.max_header_bytes, "largest request head")->option_text("N");
  p.add_option("--max-header-count", limits.max_header_count, "most header fields")->option_text("N");
  p.add_option("--max-body", limits.max_body_bytes, "largest request body")->option_text("N");
  p.add_option("--max-connections", limits.max_connections, "most connections")->option_text("N");
  std::int64_t idle_ms = limits.idle_timeout.count();
  std::int64_t request_ms = limits.request_timeout.count();
  p.add_option("--idle-timeout", idle_ms, "idle connection timeout")->option_text("MS");
  p.add_option("--request-timeout", request_ms, "time a request may take beyond its size")->option_text("MS");
  p.add_option("--min-rate", limits.min_rate, "slowest transfer allowed, bytes a second")->option_text("N");
  p.add_option("--max-pipelined", limits.max_pipelined, "HTTP/1.1 requests in flight")->option_text("N");
  p.add_option("--max-streams", limits.max_streams, "HTTP/2 streams at once")->option_text("N");
  p.add_option("--max-connection-body", limits.max_connection_body_bytes, "HTTP/2 request bodies a connection holds")
      ->option_text("N");

  return app.run(argc, argv, [&] {
    limits.idle_timeout = std::chrono::milliseconds(idle_ms);
    limits.request_timeout = std::chrono::milliseconds(request_ms);
    options.body_limit = [&limits](const serve::Request& head) -> std::size_t {
      return head.path() == "/small" ? 1024 : limits.max_body_bytes;
    };
    if (cli::verbosity() == cli::Verbosity::verbose)
      options.log = [](const serve::RequestLog& entry) { std::fprintf(stderr, "%s\n", serve::log_line(entry).c_str()); };
    Delayer delayer;
    serve::Server server(options, [&delayer](serve::Request request, serve::Responder responder) {
      std::string_view path = request.path();
      if (path == "/echo" || path == "/small") {
        serve::Response response = text(200, std::move(request.body));
        response.headers.add("x-method", request.method);
        response.headers.add("x-version", std::to_string(request.version));
        responder.send(std::move(response));
      } else if (path == "/sleep") {
        std::string_view ms = query_value(request.query(), "ms");
        long delay = 0;
        std::from_chars(ms.data(), ms.data() + ms.size(), delay);
        delayer.answer_at(Clock::now() + std::chrono::milliseconds(delay), std::move(responder),
                          text(200, fmt::format("slept {}", delay)));
      } else if (path == "/drop") {
        // The Responder goes out of scope unanswered.
      } else if (path == "/header") {
        auto value = request.headers.find(query_value(request.query(), "name"));
        responder.send(value ? text(200, std::string(*value)) : text(404, "no such field"));
      } else {
        responder.send(text(404, "no such route"));
      }
    });
    fmt::print("listening on {}\n", server.local_address());
    std::fflush(stdout);
    int signal = serve::run_until_signal(server);
    fmt::print("stopped on signal {}\n", signal);
    std::fflush(stdout);
  });
}
