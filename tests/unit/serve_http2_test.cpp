// HTTP/2 as a connection serves it, with no socket (serve::ReplayConnection), spoken to by
// nghttp2's client session: an independent implementation reads what the server writes.
#include <doctest/doctest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "serve/replay.h"
#include "serve_fixture.h"

using namespace millrace::serve;
using Held = millrace::test::HeldRequests;

namespace {

// An HTTP/2 client: requests go out as frames, responses are read from the server's frames.
class Client {
 public:
  struct Reply {
    int status = 0;
    std::map<std::string, std::string> fields;
    std::string body;
    bool closed = false;
    std::uint32_t error = 0;  // of RST_STREAM, 0 (NO_ERROR) otherwise
  };

  Client() {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(
        callbacks, [](nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_size,
                      const std::uint8_t* value, std::size_t value_size, std::uint8_t, void* self) {
          Reply& reply = static_cast<Client*>(self)->replies[frame->hd.stream_id];
          std::string field(reinterpret_cast<const char*>(name), name_size);
          std::string text(reinterpret_cast<const char*>(value), value_size);
          if (field == ":status")
            reply.status = std::stoi(text);
          else
            reply.fields[field] = text;
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        callbacks, [](nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t size,
                      void* self) {
          static_cast<Client*>(self)->replies[id].body.append(reinterpret_cast<const char*>(data), size);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        callbacks, [](nghttp2_session*, std::int32_t id, std::uint32_t error, void* self) {
          Reply& reply = static_cast<Client*>(self)->replies[id];
          reply.closed = true;
          reply.error = error;
          return 0;
        });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* self) {
          if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<Client*>(self)->goaway = true;
          return 0;
        });
    nghttp2_session_client_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Client() { nghttp2_session_del(session_); }

  std::int32_t request(const std::string& method, const std::string& path, std::string body = {},
                       std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> fields{
        {":method", method}, {":scheme", "http"}, {":authority", "example.test:4566"}, {":path", path}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : fields)
      nva.push_back({reinterpret_cast<std::uint8_t*>(name.data()), reinterpret_cast<std::uint8_t*>(value.data()),
                     name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
    bodies_.push_back(std::make_unique<Body>(Body{std::move(body), 0}));
    Body* queued = bodies_.back().get();
    nghttp2_data_provider provider{};
    provider.source.ptr = bodies_.back().get();
    provider.read_callback = [](nghttp2_session*, std::int32_t, std::uint8_t* buffer, std::size_t length,
                                std::uint32_t* flags, nghttp2_data_source* source, void*) -> ssize_t {
      Body& pending = *static_cast<Body*>(source->ptr);
      std::size_t n = std::min(length, pending.text.size() - pending.sent);
      std::memcpy(buffer, pending.text.data() + pending.sent, n);
      pending.sent += n;
      if (pending.sent == pending.text.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    };
    bool with_body = method != "GET";
    std::int32_t id =
        nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), with_body ? &provider : nullptr, nullptr);
    sent_of_[id] = &queued->sent;
    return id;
  }

  // The bytes of stream `id`'s body sent so far: what the server let in.
  std::size_t sent(std::int32_t id) const { return *sent_of_.at(id); }

  // Exchanges frames with `server` until neither has more to say.
  void talk(ReplayConnection& server) {
    for (;;) {
      std::string out;
      const std::uint8_t* data = nullptr;
      for (ssize_t n; (n = nghttp2_session_mem_send(session_, &data)) > 0;)
        out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
      if (!out.empty()) server.receive(out);
      std::string in = server.take_output();
      if (!in.empty())
        REQUIRE(nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(in.data()), in.size()) ==
                static_cast<ssize_t>(in.size()));
      if (out.empty() && in.empty()) return;
    }
  }

  std::uint32_t remote_setting(nghttp2_settings_id id) const { return nghttp2_session_get_remote_settings(session_, id); }

  std::map<std::int32_t, Reply> replies;
  bool goaway = false;

 private:
  struct Body {
    std::string text;
    std::size_t sent;
  };
  nghttp2_session* session_ = nullptr;
  std::vector<std::unique_ptr<Body>> bodies_;
  std::map<std::int32_t, const std::size_t*> sent_of_;
};

void echo(Request request, Responder responder) {
  Response response;
  response.body = std::move(request.body);
  response.headers.add("X-Target", request.target);
  response.headers.add("X-Host", std::string(request.headers.find("host").value_or("")));
  response.headers.add("X-Version", std::to_string(request.version));
  response.headers.add("Connection", "keep-alive");  // forbidden in HTTP/2: dropped
  responder.send(std::move(response));
}

}  // namespace

TEST_CASE("an HTTP/2 request with a body is answered on its stream; :authority is the host") {
  ReplayConnection server(Limits{}, echo);
  Client client;
  std::int32_t id = client.request("POST", "/echo?x=1", std::string(100'000, 'z'));
  client.talk(server);
  Client::Reply& reply = client.replies[id];
  CHECK(reply.closed);
  CHECK(reply.error == NGHTTP2_NO_ERROR);
  CHECK(reply.status == 200);
  CHECK(reply.body == std::string(100'000, 'z'));
  CHECK(reply.fields["content-length"] == "100000");
  CHECK(reply.fields["x-target"] == "/echo?x=1");
  CHECK(reply.fields["x-host"] == "example.test:4566");
  CHECK(reply.fields["x-version"] == "20");
  CHECK(reply.fields.count("connection") == 0);
  CHECK_FALSE(server.closed());
}

TEST_CASE("the server announces its stream and header limits in its SETTINGS") {
  Limits limits;
  limits.max_streams = 7;
  limits.max_header_bytes = 3000;
  ReplayConnection server(limits, echo);
  Client client;
  client.request("GET", "/");
  client.talk(server);
  CHECK(client.remote_setting(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 7);
  CHECK(client.remote_setting(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE) == 3000);
  CHECK(client.remote_setting(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE) == 64u << 10);
}

TEST_CASE("concurrent streams are answered each as its answer comes") {
  Held held;
  ReplayConnection server(Limits{}, held.handler());
  Client client;
  std::int32_t first = client.request("GET", "/1");
  std::int32_t second = client.request("GET", "/2");
  client.talk(server);
  REQUIRE(held.requests.size() == 2);
  Response late;
  late.body = "for /2";
  held.responders[1].send(late);
  client.talk(server);
  CHECK(client.replies[second].body == "for /2");
  CHECK_FALSE(client.replies[first].closed);  // no head-of-line wait, and no answer yet
  late.body = "for /1";
  held.responders[0].send(late);
  client.talk(server);
  CHECK(client.replies[first].body == "for /1");
}

TEST_CASE("a stream past the head or body limits is answered 431 or 413; the connection goes on") {
  Limits limits;
  limits.max_header_bytes = 1024;
  limits.max_header_count = 10;
  limits.max_body_bytes = 64;
  ReplayConnection server(limits, echo);
  Client client;
  std::int32_t big_head = client.request("GET", "/", {}, {{"x-big", std::string(2000, 'h')}});
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 10; ++i) many.emplace_back("x-" + std::to_string(i), "v");
  std::int32_t many_fields = client.request("GET", "/", {}, many);
  std::int32_t big_body = client.request("POST", "/", std::string(65, 'b'));
  std::int32_t fine = client.request("POST", "/", std::string(64, 'b'));
  client.talk(server);
  CHECK(client.replies[big_head].status == 431);
  CHECK(client.replies[big_head].body == R"({"message":"the request head is larger than the limit of 1024 bytes"})");
  CHECK(client.replies[many_fields].status == 431);
  CHECK(client.replies[big_body].status == 413);
  CHECK(client.replies[big_body].body == R"({"message":"the request body is larger than the limit of 64 bytes"})");
  CHECK(client.replies[fine].status == 200);
  CHECK(server.requests() == 1);
  CHECK_FALSE(server.closed());
}

TEST_CASE("a declared Content-Length past the limit is answered 413 before the body") {
  Limits limits;
  limits.max_body_bytes = 10;
  ReplayConnection server(limits, echo);
  Client client;
  std::int32_t id = client.request("POST", "/", std::string(11, 'b'), {{"content-length", "11"}});
  client.talk(server);
  CHECK(client.replies[id].status == 413);
  CHECK(client.replies[id].body ==
        R"({"message":"the request body of 11 bytes is larger than the limit of 10 bytes"})");
}

TEST_CASE("garbage after the preface ends the connection with a GOAWAY") {
  ReplayConnection server(Limits{}, echo);
  server.receive("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + std::string(64, '\xff'));
  std::string out = server.take_output();
  // A GOAWAY frame: 9-byte header with type 7 on stream 0.
  bool found = false;
  for (std::size_t at = 0; at + 9 <= out.size();) {
    std::size_t length = (static_cast<unsigned char>(out[at]) << 16) | (static_cast<unsigned char>(out[at + 1]) << 8) |
                         static_cast<unsigned char>(out[at + 2]);
    if (out[at + 3] == 7) found = true;
    at += 9 + length;
  }
  CHECK(found);
  CHECK(server.closed());
}

TEST_CASE("stopping sends a GOAWAY, answers the streams begun, then closes") {
  Held held;
  ReplayConnection server(Limits{}, held.handler());
  Client client;
  std::int32_t id = client.request("GET", "/slow");
  client.talk(server);
  REQUIRE(held.requests.size() == 1);
  server.stop();
  client.talk(server);
  CHECK(client.goaway);
  CHECK_FALSE(server.closed());
  Response response;
  response.body = "done";
  held.responders[0].send(response);
  client.talk(server);
  CHECK(client.replies[id].body == "done");
  CHECK(server.closed());
}

namespace {

// A connection whose streams' bodies are bounded: 1 MiB a stream, `connection_bytes` in all;
// its requests are held until answer() answers them.
struct Bounded {
  explicit Bounded(std::size_t connection_bytes)
      : limits([&] {
          Limits bounded;
          bounded.max_body_bytes = 1 << 20;
          bounded.max_connection_body_bytes = connection_bytes;
          return bounded;
        }()),
        server(limits, held.handler()) {}

  // A POST of `size` bytes, declared in Content-Length or not.
  std::int32_t post(std::size_t size, bool declared) {
    std::vector<std::pair<std::string, std::string>> fields;
    if (declared) fields.emplace_back("content-length", std::to_string(size));
    return client.request("POST", "/", std::string(size, 'b'), fields);
  }
  // Answers each request held and not yet answered with the length of its body, then talks.
  void answer() {
    for (; answered < held.requests.size(); ++answered) {
      Response response;
      response.body = std::to_string(held.requests[answered].body.size());
      held.responders[answered].send(std::move(response));
    }
    client.talk(server);
  }

  Limits limits;
  Held held;
  ReplayConnection server;
  Client client;
  std::size_t answered = 0;
};

constexpr std::size_t kFirstWindow = 64 << 10;  // what a stream sends before its own window

}  // namespace

TEST_CASE("an HTTP/2 connection's streams are let in for max_connection_body_bytes of bodies; the others wait") {
  Bounded c(2 << 20);
  constexpr std::size_t kBody = (1 << 20) - 1;  // just under the limit of a stream
  std::vector<std::int32_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(c.post(kBody, true));
  c.client.talk(c.server);
  // Two bodies fit in 2 MiB: those of the first two streams; the others sent their first window.
  REQUIRE(c.held.requests.size() == 2);
  CHECK(c.client.sent(ids[0]) == kBody);
  CHECK(c.client.sent(ids[1]) == kBody);
  std::size_t total = 0;
  for (std::int32_t id : ids) total += c.client.sent(id);
  CHECK(total <= 2 * kBody + 8 * kFirstWindow);  // not 10 MiB
  for (std::size_t i = 2; i < ids.size(); ++i) CHECK(c.client.sent(ids[i]) <= kFirstWindow);

  // As the streams are answered, the next ones are let in, two at a time, in order.
  for (std::size_t round = 1; c.answered < ids.size(); ++round) {
    REQUIRE(round <= 5);
    c.answer();
    CHECK(c.held.requests.size() == std::min<std::size_t>(2 * (round + 1), ids.size()));
  }
  for (std::int32_t id : ids) {
    CHECK(c.client.replies[id].status == 200);
    CHECK(c.client.replies[id].body == std::to_string(kBody));
  }
  CHECK_FALSE(c.server.closed());
}

TEST_CASE("an HTTP/2 body of no declared length is let in for its limit; one past it is answered 413") {
  // Without Content-Length a stream may send up to its limit and one byte more (1 MiB + 1): the
  // second is let in only once the first is answered (700,000 + 1 MiB + 1 > 1.5 MiB). Declared,
  // both would fit.
  Bounded c(1536 << 10);
  std::int32_t first = c.post(700'000, false);
  std::int32_t second = c.post(700'000, false);
  c.client.talk(c.server);
  REQUIRE(c.held.requests.size() == 1);
  CHECK(c.client.sent(second) <= kFirstWindow);
  c.answer();
  REQUIRE(c.held.requests.size() == 2);
  c.answer();
  CHECK(c.client.replies[first].body == "700000");
  CHECK(c.client.replies[second].body == "700000");

  std::int32_t big = c.post((1 << 20) + 100, false);
  c.client.talk(c.server);
  CHECK(c.client.replies[big].status == 413);
  CHECK(c.held.requests.size() == 2);
  CHECK_FALSE(c.server.closed());
}

TEST_CASE("an HTTP/2 body larger than max_connection_body_bytes is let in alone") {
  Bounded c(256 << 10);
  constexpr std::size_t kBody = 1 << 20;
  std::int32_t first = c.post(kBody, true);
  std::int32_t second = c.post(kBody, true);
  c.client.talk(c.server);
  REQUIRE(c.held.requests.size() == 1);
  CHECK(c.client.sent(first) == kBody);
  CHECK(c.client.sent(second) <= kFirstWindow);
  c.answer();
  REQUIRE(c.held.requests.size() == 2);
  c.answer();
  CHECK(c.client.replies[second].body == std::to_string(kBody));
}
