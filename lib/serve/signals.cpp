#include "serve/signals.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <csignal>
#include <thread>

namespace millrace::serve {

namespace net = boost::asio;

int run_until_signal(Server& server, const std::function<void()>& on_stop) {
  // The signals are waited for on a context of their own, so that the server's threads and
  // its stop() stay as they are without one.
  net::io_context context(1);
  net::signal_set signals(context, SIGINT, SIGTERM);
  std::atomic<int> received{0};
  signals.async_wait([&](const boost::system::error_code& ec, int number) {
    if (ec) return;
    received = number;
    server.stop();
    if (on_stop) on_stop();
  });
  std::thread waiter([&] { context.run(); });
  struct Join {
    net::io_context& context;
    net::signal_set& signals;
    std::thread& waiter;
    ~Join() {
      net::post(context, [this] { signals.cancel(); });
      waiter.join();
    }
  } join{context, signals, waiter};
  server.run();
  return received;
}

}  // namespace millrace::serve
