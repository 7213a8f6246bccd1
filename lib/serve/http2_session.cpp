#include "serve/http2_session.h"

#include <fmt/format.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>

namespace millrace::serve::detail {

namespace {

// What every stream may send of its body before the server gives it a window of its own: a
// usual request (a PutRecord, a PutRecords of a few records) fits in it.
constexpr std::int32_t kInitialStreamWindow = 64 << 10;
// The connection's window, renewed as bytes arrive: room for several streams' bodies in flight.
constexpr std::int32_t kConnectionWindow = 16 << 20;
// What the client of a refused request may still send before its stream is reset.
constexpr std::size_t kRefusedDrain = 1 << 20;
// HTTP/2 counts a field as its name and value plus 32 bytes (RFC 9113, section 6.5.2).
constexpr std::size_t kFieldOverhead = 32;

// Fields that HTTP/2 forbids (connection-specific, RFC 9113 section 8.2.2) and the framing the
// server sets itself.
bool dropped(std::string_view lowered) {
  return lowered == "connection" || lowered == "keep-alive" || lowered == "proxy-connection" ||
         lowered == "transfer-encoding" || lowered == "upgrade" || lowered == "content-length";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

struct Http2Session::Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Http2Session& session = self(user_data);
    Stream& stream = session.streams_[frame->hd.stream_id];
    stream.request.version = 20;
    ++session.receiving_;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_size,
                       const std::uint8_t* value, std::size_t value_size, std::uint8_t, void* user_data) {
    Http2Session& session = self(user_data);
    Stream* stream = session.find(frame->hd.stream_id);
    if (!stream || stream->refused) return 0;
    const Limits& limits = session.settings_.limits;
    stream->header_bytes += name_size + value_size + kFieldOverhead;
    ++stream->header_count;
    if (stream->header_bytes > limits.max_header_bytes) {
      session.refuse(frame->hd.stream_id, *stream, 431,
                     fmt::format("the request head is larger than the limit of {} bytes", limits.max_header_bytes),
                     false);
      return 0;
    }
    if (stream->header_count > limits.max_header_count) {
      session.refuse(frame->hd.stream_id, *stream, 431,
                     fmt::format("the request has more header fields than the limit of {}", limits.max_header_count),
                     false);
      return 0;
    }
    if (frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers: counted, not kept
    std::string_view field = view(name, name_size);
    std::string_view text = view(value, value_size);
    if (field == ":method")
      stream->request.method = text;
    else if (field == ":path")
      stream->request.target = text;
    else if (field == ":authority")
      stream->authority = text;
    else if (!field.starts_with(':'))  // nghttp2 has checked the pseudo-headers
      stream->request.headers.add(std::string(field), std::string(text));
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    Stream* stream = session.find(frame->hd.stream_id);
    if (!stream) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
      session.head_done(frame->hd.stream_id, *stream, !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM));
    if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) session.request_done(frame->hd.stream_id, *stream);
    return 0;
  }

  static int on_data_chunk(nghttp2_session* ng, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t size,
                           void* user_data) {
    Http2Session& session = self(user_data);
    // The connection's window is renewed as bytes arrive; the streams' windows bound them.
    nghttp2_session_consume_connection(ng, size);
    Stream* stream = session.find(id);
    if (!stream) return 0;
    if (stream->refused) {
      nghttp2_session_consume_stream(ng, id, size);  // what is dropped is let in
      // The client of a refused request may go on sending its body: it is dropped, and past
      // kRefusedDrain the stream is reset so that it stops. Not at once: curl (7.88) takes a
      // reset right after the response for an error, and drops the response.
      stream->dropped += size;
      if (stream->dropped > kRefusedDrain && !stream->reset) {
        stream->reset = true;
        nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR);
      }
      return 0;
    }
    if (stream->request.body.size() + size > stream->body_limit) {
      session.refuse(id, *stream, 413,
                     fmt::format("the request body is larger than the limit of {} bytes", stream->body_limit), true);
      return 0;
    }
    stream->request.body.append(reinterpret_cast<const char*>(data), size);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user_data) {
    Http2Session& session = self(user_data);
    auto found = session.streams_.find(id);
    if (found == session.streams_.end()) return 0;
    Stream& stream = found->second;
    session.hold(stream, 0);
    if (stream.receiving) --session.receiving_;
    if (stream.answered || stream.refused) --session.sending_;
    if ((stream.answered || stream.refused) && session.settings_.log) {
      session.exchanges_.push_back({std::move(stream.method), std::move(stream.target), stream.response.status,
                                    stream.body_in, stream.sent, stream.since});
    }
    session.streams_.erase(found);
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buffer, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    Stream& stream = *static_cast<Stream*>(source->ptr);
    const std::string& body = stream.response.body;
    std::size_t n = std::min(length, body.size() - stream.sent);
    std::memcpy(buffer, body.data() + stream.sent, n);
    stream.sent += n;
    if (stream.sent == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

Http2Session::Http2Session(const Settings& settings) : settings_(settings) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc();
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
  nghttp2_option* option = nullptr;
  if (nghttp2_option_new(&option) != 0) {
    nghttp2_session_callbacks_del(callbacks);
    throw std::bad_alloc();
  }
  nghttp2_option_set_no_auto_window_update(option, 1);  // windows are the server's to give
  int rv = nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) throw std::bad_alloc();

  const Limits& limits = settings_.limits;
  nghttp2_settings_entry entries[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.max_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kInitialStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX))},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, entries, std::size(entries));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
}

Http2Session::~Http2Session() { nghttp2_session_del(session_); }

Http2Session::Stream* Http2Session::find(std::int32_t id) {
  auto found = streams_.find(id);
  return found == streams_.end() ? nullptr : &found->second;
}

void Http2Session::head_done(std::int32_t id, Stream& stream, bool has_body) {
  if (stream.refused) {
    submit(id, stream);
    return;
  }
  Request& request = stream.request;
  stream.head = request.method == "HEAD";
  if (!stream.authority.empty() && !request.headers.find("host")) request.headers.add("host", stream.authority);
  stream.body_limit = settings_.body_limit_for(request);
  // The body to let in: as declared (nghttp2 resets a stream that sends more), else up to one
  // byte past the limit, so that a body past it is seen and answered 413.
  std::size_t body = std::max(stream.body_limit, stream.body_limit + 1);  // (SIZE_MAX: no limit)
  if (auto length = request.headers.find("content-length")) {
    std::size_t declared = 0;
    auto [end, error] = std::from_chars(length->data(), length->data() + length->size(), declared);
    if (error == std::errc{} && end == length->data() + length->size()) {
      if (declared > stream.body_limit) {
        refuse(id, stream, 413,
               fmt::format("the request body of {} bytes is larger than the limit of {} bytes", declared,
                           stream.body_limit),
               true);
        return;
      }
      body = declared;
    }
  }
  if (has_body && body > static_cast<std::size_t>(kInitialStreamWindow)) ask_window(id, stream, body);
}

void Http2Session::ask_window(std::int32_t id, Stream& stream, std::size_t bytes) {
  stream.window = std::min<std::size_t>(bytes, NGHTTP2_MAX_WINDOW_SIZE);
  if (waiting_count_ == 0 && room_for(stream.window)) return give_window(id, stream);
  stream.waiting = true;  // behind the streams that came before it
  ++waiting_count_;
  waiting_.push_back(id);
}

bool Http2Session::room_for(std::size_t bytes) const {
  return held_ == 0 || held_ + bytes <= settings_.limits.max_connection_body_bytes;
}

void Http2Session::give_window(std::int32_t id, Stream& stream) {
  if (stream.waiting) {
    stream.waiting = false;
    --waiting_count_;
  }
  held_ += stream.window;
  stream.held = stream.window;
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, id, static_cast<std::int32_t>(stream.window));
}

void Http2Session::hold(Stream& stream, std::size_t bytes) {
  if (stream.waiting) {  // its body came whole within its first window, or it ended
    stream.waiting = false;
    --waiting_count_;
  }
  std::size_t before = stream.held;
  held_ = held_ - before + bytes;
  stream.held = bytes;
  if (bytes < before) give_waiting_windows();
}

void Http2Session::give_waiting_windows() {
  while (!waiting_.empty()) {
    std::int32_t id = waiting_.front();
    Stream* stream = find(id);
    if (stream && stream->waiting) {
      if (!room_for(stream->window)) return;
      give_window(id, *stream);
    }
    waiting_.pop_front();
  }
}

void Http2Session::request_done(std::int32_t id, Stream& stream) {
  if (!stream.receiving) return;
  stream.receiving = false;
  --receiving_;
  if (stream.refused) return;
  stream.since = Clock::now();
  stream.body_in = stream.request.body.size();
  // Held until answered, as the handler holds it; a body that needed no window of its own is
  // within the first window of its stream.
  hold(stream, stream.held ? stream.body_in : 0);
  if (settings_.log) {
    stream.method = stream.request.method;
    stream.target = stream.request.target;
  }
  requests_.emplace_back(id, std::move(stream.request));
  stream.request = Request{};
}

void Http2Session::refuse(std::int32_t id, Stream& stream, int status, std::string message, bool submit_now) {
  stream.refused = true;
  hold(stream, 0);  // what it sends from now on is dropped
  ++sending_;
  stream.since = Clock::now();
  if (settings_.log) {
    stream.method = stream.request.method;
    stream.target = stream.request.target;
  }
  stream.request = Request{};
  stream.response = Response::error(status, message);
  if (submit_now) submit(id, stream);
}

void Http2Session::respond(std::int32_t id, Response response) {
  Stream* stream = find(id);
  if (!stream || stream->answered || stream->refused || stream->receiving) return;
  stream->answered = true;
  ++sending_;
  hold(*stream, 0);
  stream->response = std::move(response);
  submit(id, *stream);
}

void Http2Session::submit(std::int32_t id, Stream& stream) {
  const Response& response = stream.response;
  std::vector<std::string> texts;  // nghttp2 copies them on submit
  texts.reserve(2 * response.headers.size() + 4);
  texts.push_back(":status");
  texts.push_back(std::to_string(response.status >= 100 && response.status <= 999 ? response.status : 500));
  if (Response::has_content(response.status)) {
    texts.push_back("content-length");
    texts.push_back(std::to_string(response.body.size()));
  }
  for (const Header& field : response.headers) {
    std::string name = lower(field.name);
    if (dropped(name)) continue;
    texts.push_back(std::move(name));
    texts.push_back(field.value);
  }
  std::vector<nghttp2_nv> fields;
  fields.reserve(texts.size() / 2);
  for (std::size_t i = 0; i < texts.size(); i += 2) {
    fields.push_back({reinterpret_cast<std::uint8_t*>(texts[i].data()), reinterpret_cast<std::uint8_t*>(texts[i + 1].data()),
                      texts[i].size(), texts[i + 1].size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider body{};
  body.source.ptr = &stream;
  body.read_callback = Callbacks::read_body;
  bool with_body = !stream.head && Response::has_content(response.status) && !response.body.empty();
  nghttp2_submit_response(session_, id, fields.data(), fields.size(), with_body ? &body : nullptr);
}

bool Http2Session::receive(std::string_view bytes) {
  return nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) >= 0;
}

std::vector<std::pair<std::int32_t, Request>> Http2Session::take_requests() { return std::exchange(requests_, {}); }

std::vector<Http2Session::Exchange> Http2Session::take_exchanges() { return std::exchange(exchanges_, {}); }

bool Http2Session::take_output(std::string& out, std::size_t max) {
  while (out.size() < max) {
    const std::uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return true;
}

void Http2Session::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

bool Http2Session::wants_read() const { return nghttp2_session_want_read(session_) != 0; }

bool Http2Session::done() const {
  return nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
}

}  // namespace millrace::serve::detail
