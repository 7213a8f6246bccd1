// Request and Response: one HTTP exchange as the handler sees it, whatever the protocol
// (HTTP/1.1 or HTTP/2) it came over.
//
// Plain values: movable, copyable, owned by whoever holds them, safe to hand to another thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::serve {

struct Header {
  std::string name;
  std::string value;
};

// Header fields in the order received or set. Names are compared without regard to case, as
// HTTP defines them (HTTP/2 delivers them in lower case, HTTP/1.1 as the client wrote them).
class Headers {
 public:
  // The value of the first field named `name`, or nullopt.
  std::optional<std::string_view> find(std::string_view name) const;
  // Appends a field (a name may repeat).
  void add(std::string name, std::string value);
  // Replaces every field named `name` by one.
  void set(std::string name, std::string value);

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

 private:
  std::vector<Header> fields_;
};

// True when `a` and `b` are equal but for ASCII case.
bool iequals(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // as sent: "POST", "GET"
  std::string target;  // path and query as sent: "/streams/rides?x=1" (HTTP/2: :path)
  // HTTP/2's :authority is given as a Host field; the other pseudo-headers are not fields.
  Headers headers;
  std::string body;
  int version = 11;    // 10 (HTTP/1.0), 11 (HTTP/1.1) or 20 (HTTP/2)
  std::string remote;  // the peer: "127.0.0.1:50123", "[::1]:50123"

  std::string_view path() const;   // the target before '?'
  std::string_view query() const;  // the target after '?', empty without one
};

// The server sets the framing fields itself: Content-Length (from the body), Connection and
// Transfer-Encoding given here are ignored. A response to HEAD carries Content-Length but no
// body; a 1xx, 204 or 304 response carries neither.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // Whether a response of `status` has content (and so Content-Length): not 1xx, 204 or 304.
  static bool has_content(int status) { return status >= 200 && status != 204 && status != 304; }

  // `status` with a body of type application/json.
  static Response json(int status, std::string body);
  // `status` with the body {"message":"<message>"} (application/json): the server's own
  // errors (400, 413, 431, 500, 503) have this shape.
  static Response error(int status, std::string_view message);
};

}  // namespace millrace::serve
