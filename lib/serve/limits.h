// Limits: what one client may make gw-serve's HTTP server hold, and for how long.
//
// Every bound is a named setting with a default, as redis bounds its clients
// (client-query-buffer-limit, timeout): request heads and bodies in bytes, connections and
// requests in flight in number, idle and slow clients in time. No client can make the server
// hold unbounded memory or keep a connection by trickling bytes. Past a bound, the client is
// told why when it can be (the status named at the setting, with a JSON body
// {"message":"..."}) and an HTTP/1.1 connection is then closed; an HTTP/2 stream is answered
// and reset, its connection goes on.
//
// Memory: a connection holds at most one request head, the bodies of its requests in flight
// (max_pipelined of them in HTTP/1.1, each within its body limit; in HTTP/2, within
// max_connection_body_bytes and the first 64 KiB of each of max_streams) and the responses not
// yet written.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace millrace::serve {

struct Limits {
  // The head of a request: its request line and header fields as sent in HTTP/1.1; in HTTP/2
  // the header list size as RFC 9113 counts it (name + value + 32 a field), which the server
  // announces as SETTINGS_MAX_HEADER_LIST_SIZE. Past it: 431. A SigV4-signed AWS SDK request
  // has a head of about 1.5 KiB; 16 KiB leaves room for long user agents and tokens.
  std::size_t max_header_bytes = 16 << 10;
  // Header fields in a request. Past it: 431. SDKs send about 15.
  std::size_t max_header_count = 100;
  // The body of a request, unless Server::Options::body_limit picks another limit for it from
  // its head. Past it: 413, answered from Content-Length before the body is read when the
  // request has one. 1 MiB is the Kinesis record limit; operations that take more (PutRecords
  // carries up to 5 MiB of base64 data in its JSON) say so through body_limit.
  std::size_t max_body_bytes = 1 << 20;
  // Connections open at once. A connection beyond it is answered 503 and closed. Below the
  // usual 1024 open files of a process, which also holds the store's files.
  std::size_t max_connections = 512;
  // A connection with no request in flight is closed after this long. Longer than the idle
  // timeouts of the SDKs' connection pools (60 s in the Java SDK v2, 90 s in Go's), so the
  // client closes first and never sends a request on a connection the server is closing.
  std::chrono::milliseconds idle_timeout{120'000};
  // From its first byte, a request (head and body) of N bytes must arrive within
  // request_timeout + N / min_rate; the same holds for a response of N bytes to be written
  // from the time it is ready. Otherwise the connection is closed: a client that sends or reads
  // a byte a second holds a connection for request_timeout at most.
  std::chrono::milliseconds request_timeout{10'000};
  // Bytes a second, see request_timeout. 64 KiB/s gives a 5 MiB body 80 s beyond
  // request_timeout, far more than any link an SDK runs on needs.
  std::size_t min_rate = 64 << 10;
  // HTTP/1.1 requests read from one connection whose answers are not yet written (pipelining).
  // When as many are in flight, the server reads no more from that connection until one is
  // answered. 16: more than clients pipeline, and a bound on the bodies held.
  std::size_t max_pipelined = 16;
  // HTTP/2 streams open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS). 100 is the
  // smallest value RFC 9113 advises, and the SDKs' default.
  std::uint32_t max_streams = 100;
  // HTTP/2: the request bodies a connection's streams may make the server hold at once, beyond
  // the first 64 KiB of each (every stream's initial flow-control window), from the window given
  // to the stream to the stream's answer. Past it, the server gives a stream no more window
  // until earlier ones are answered, by HTTP/2's own flow control: a client of 100 streams of
  // 8 MiB bodies makes it hold 16 MiB and 100 times 64 KiB, not 800 MiB. A body larger than it
  // is still taken, alone. 16 MiB: two PutRecords bodies at their largest, or a hundred of the
  // usual 150 KiB, at once.
  std::size_t max_connection_body_bytes = 16 << 20;
};

}  // namespace millrace::serve
