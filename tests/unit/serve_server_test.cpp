#include "serve/server.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "cli/error.h"

using namespace millrace;
using serve::Server;
using serve::ServerOptions;

namespace {

void ignore(serve::Request, serve::Responder) {}

ServerOptions listening_on(std::string listen) {
  ServerOptions options;
  options.listen = std::move(listen);
  options.threads = 1;
  return options;
}

// Sends `request` to 127.0.0.1:`port` and reads until the server closes.
std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

}  // namespace

TEST_CASE("a listen address that is not HOST:PORT is a usage error naming it") {
  for (std::string bad : {"4566", "localhost", "127.0.0.1:", "127.0.0.1:65536", "::1:4566", "[::1]4566", "example.com:80"}) {
    CAPTURE(bad);
    try {
      Server server(listening_on(bad), ignore);
      FAIL("no error");
    } catch (const cli::Error& e) {
      CHECK(e.status() == cli::Exit::usage);
      CHECK(e.where() == bad);
    }
  }
}

TEST_CASE("port 0 picks a free port; a port in use is unavailable") {
  Server first(listening_on("127.0.0.1:0"), ignore);
  CHECK(first.port() != 0);
  CHECK(first.local_address() == "127.0.0.1:" + std::to_string(first.port()));
  Server local(listening_on("localhost:0"), ignore);
  CHECK(local.local_address().starts_with("127.0.0.1:"));
  try {
    Server second(listening_on(first.local_address()), ignore);
    FAIL("no error");
  } catch (const cli::Error& e) {
    CHECK(e.status() == cli::Exit::unavailable);
    CHECK(std::string(e.what()).starts_with("cannot listen: "));
  }
}

TEST_CASE("run serves until stop, here called by the handler; the request is answered first") {
  Server* running = nullptr;
  Server server(listening_on("127.0.0.1:0"), [&](serve::Request request, serve::Responder responder) {
    running->stop();
    serve::Response response;
    response.body = "bye " + request.target;
    responder.send(std::move(response));
  });
  running = &server;
  std::thread serving([&] { server.run(); });
  // exchange() reads until the server closes the connection, which it does once stopped.
  std::string reply = exchange(server.port(), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  serving.join();  // run() returned
  CHECK(reply.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(reply.ends_with("\r\n\r\nbye /x"));
}
