// Fuzz target: one connection's bytes through gw-serve's HTTP server with no socket.
//
// serve::ReplayConnection runs the very code that serves a socket: the choice of protocol,
// Beast's HTTP/1.1 parser and the limits checked around it, nghttp2's HTTP/2 session, the
// ordering of answers, stopping. What must hold is what the sanitizers and the asserts below
// check: no crash, no leak, no undefined behaviour, whatever the bytes.
//
// The first byte says how the rest arrives, so that the fuzzer explores deliveries too:
//   bit 0     HTTP/2's client preface comes first (the fuzzer need not find its 24 bytes)
//   bits 1-3  the size of each read: 1, 2, 7, 64, 512, 4096, 16384 or 65536 bytes
//   bit 4     the server stops halfway through
//   bit 5     answers are held and sent in reverse order once everything has arrived, rather
//             than at once
// Seeds: tests/fuzz/corpus/http_request/ (HTTP/1.1 requests; HTTP/2 ones as nghttp sent them).
// Build lib/serve as every build does, with BOOST_DISABLE_ASSERTS (see CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "serve/replay.h"

using namespace millrace::serve;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  // Small limits, so that the fuzzer reaches them.
  static const Limits limits = [] {
    Limits small;
    small.max_header_bytes = 4096;
    small.max_header_count = 32;
    small.max_body_bytes = 64 << 10;
    small.max_pipelined = 4;
    small.max_streams = 8;
    small.max_connection_body_bytes = 100 << 10;  // streams wait for their windows
    return small;
  }();
  static constexpr std::size_t kReadSizes[] = {1, 2, 7, 64, 512, 4096, 16384, 65536};
  const std::size_t read_size = kReadSizes[(mode >> 1) & 7];
  const bool stop_halfway = mode & 0x10;
  const bool hold = mode & 0x20;

  std::vector<Responder> held;
  ReplayConnection connection(
      limits,
      [&](Request request, Responder responder) {
        if (hold) {
          held.push_back(std::move(responder));
          return;
        }
        Response response;
        response.body = std::move(request.body);
        response.headers.add("X-Target", request.target);
        responder.send(std::move(response));
      },
      [](const Request& head) -> std::size_t { return head.path() == "/small" ? 16 : limits.max_body_bytes; });

  if (mode & 1) connection.receive("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", read_size);
  if (stop_halfway) {
    connection.receive(bytes.substr(0, bytes.size() / 2), read_size);
    connection.stop();
    connection.receive(bytes.substr(bytes.size() / 2), read_size);
  } else {
    connection.receive(bytes, read_size);
  }
  for (auto answer = held.rbegin(); answer != held.rend(); ++answer) {
    Response response;
    response.status = 201;
    answer->send(std::move(response));
  }
  connection.end();
  connection.take_output();
  return 0;
}
