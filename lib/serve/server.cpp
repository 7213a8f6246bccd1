#include "serve/server.h"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/error.h"
#include "serve/connection.h"
#include "serve/http1_protocol.h"

namespace millrace::serve {

using namespace detail;

namespace {

// When the process is out of file descriptors, accepting again at once would spin: wait this
// long for connections to close first.
constexpr auto kAcceptRetry = std::chrono::milliseconds(50);

tcp::endpoint parse_listen(const std::string& text) {
  auto bad = [&] {
    return cli::Error(cli::Exit::usage, text, "not an address to listen on: expected HOST:PORT, as 127.0.0.1:4566 or [::1]:4566");
  };
  std::string_view all = text;
  std::string_view host;
  std::string_view port;
  if (all.starts_with('[')) {
    std::size_t close = all.find(']');
    if (close == std::string_view::npos || all.substr(close + 1, 1) != ":") throw bad();
    host = all.substr(1, close - 1);
    port = all.substr(close + 2);
  } else {
    std::size_t colon = all.rfind(':');
    if (colon == std::string_view::npos) throw bad();
    host = all.substr(0, colon);
    port = all.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) throw bad();  // IPv6 goes in brackets
  }
  std::uint16_t number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || error != std::errc{} || end != port.data() + port.size()) throw bad();
  error_code ec;
  net::ip::address address = host == "localhost" ? net::ip::address(net::ip::address_v4::loopback())
                                                 : net::ip::make_address(std::string(host), ec);
  if (ec) throw bad();
  return {address, number};
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

// One I/O context per thread, each run by its thread alone: a connection's work needs no
// lock and no strand, and wakes no other thread. Connections are dealt to them in turn.
struct Server::Impl {
  Impl(ServerOptions options, Handler handler)
      : threads(options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency())),
        contexts(make_contexts(threads)),
        acceptor(*contexts[0]),
        retry(*contexts[0]) {
    auto settings = std::make_shared<Settings>();
    settings->limits = options.limits;
    settings->body_limit = std::move(options.body_limit);
    settings->log = std::move(options.log);
    settings->handler = std::move(handler);
    hub = std::make_shared<Hub>(std::move(settings));

    tcp::endpoint endpoint = parse_listen(options.listen);
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw cli::Error(cli::Exit::unavailable, options.listen, "cannot listen: " + ec.message());
    bound = acceptor.local_endpoint();
  }

  static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned count) {
    std::vector<std::unique_ptr<net::io_context>> made;
    // Concurrency hint 1: each is run by one thread (others only post to it).
    for (unsigned i = 0; i < count; ++i) made.push_back(std::make_unique<net::io_context>(1));
    return made;
  }

  // On the acceptor's thread (context 0).
  void accept() {
    net::io_context& context = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(context, [this, &context](error_code ec, tcp::socket socket) {
      if (stopped || !acceptor.is_open()) return;
      if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
        retry.expires_after(kAcceptRetry);
        retry.async_wait([this](error_code waited) {
          if (!waited) accept();
        });
        return;
      }
      if (!ec) admit(context, std::move(socket));
      accept();
    });
  }

  void admit(net::io_context& context, tcp::socket socket) {
    error_code ec;
    tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    if (hub->count() >= hub->settings()->limits.max_connections) {
      refuse(socket);
      return;
    }
    auto connection = std::make_shared<Connection>(context, std::move(socket), hub, endpoint_text(peer));
    hub->add(connection);
    connection->start();
  }

  // A connection beyond max_connections: 503 at once, without a connection's state.
  static void refuse(tcp::socket& socket) {
    error_code ec;
    socket.non_blocking(true, ec);
    // What the client has already sent is read first, so that closing does not reset the
    // connection before it reads the answer.
    char drain[4096];
    while (socket.available(ec) > 0 && !ec) socket.read_some(net::buffer(drain), ec);
    Response response = Response::error(503, "too many connections: try again later");
    std::string head = http1_wire_head(response, 11, false);
    std::array<net::const_buffer, 2> buffers{net::buffer(head), net::buffer(response.body)};
    net::write(socket, buffers, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  void stop() {
    net::post(*contexts[0], [this] {
      if (stopped) return;
      stopped = true;
      error_code ec;
      acceptor.close(ec);
      retry.cancel();
      hub->stop_all();
      // Each context now runs until its connections are done.
      std::lock_guard lock(guards_mutex);
      guards.clear();
    });
  }

  // Runs context `index` on this thread until it has no more work; an exception escaping a
  // handler is kept for run() to throw once the others are answered, and stops the server.
  void serve(std::size_t index) {
    for (;;) {
      try {
        contexts[index]->run();
        return;
      } catch (...) {
        {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
        }
        stop();
      }
    }
  }

  unsigned threads;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  tcp::acceptor acceptor;
  net::steady_timer retry;
  tcp::endpoint bound;
  std::shared_ptr<Hub> hub;
  std::size_t next_context = 0;  // on the acceptor's thread
  bool stopped = false;          // on the acceptor's thread
  // Keep every context running, with or without connections, until stop().
  std::mutex guards_mutex;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::mutex error_mutex;
  std::exception_ptr error;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->bound.port(); }

std::string Server::local_address() const { return endpoint_text(impl_->bound); }

void Server::run() {
  {
    std::lock_guard lock(impl_->guards_mutex);
    for (auto& context : impl_->contexts) impl_->guards.push_back(net::make_work_guard(*context));
  }
  net::post(*impl_->contexts[0], [this] {
    if (impl_->stopped) {
      std::lock_guard lock(impl_->guards_mutex);
      impl_->guards.clear();
    } else {
      impl_->accept();
    }
  });
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < impl_->contexts.size(); ++i) others.emplace_back([this, i] { impl_->serve(i); });
  impl_->serve(0);
  for (std::thread& thread : others) thread.join();
  if (impl_->error) std::rethrow_exception(impl_->error);
}

void Server::stop() { impl_->stop(); }

void Server::post(std::function<void()> work) { net::post(*impl_->contexts[0], std::move(work)); }

}  // namespace millrace::serve
