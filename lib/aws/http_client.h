// HttpClient: HTTP requests over libcurl, for the AWS client (aws/json_client.h).
//
// One connection pool per process: every HttpClient's easy handle shares its connections, DNS
// answers and TLS sessions through one curl share, so requests from any thread reuse kept-alive
// connections. HTTP/2 where the server offers it over TLS (ALPN), HTTP/1.1 otherwise; TLS
// peers are verified against the system's CA store. No redirects are followed (AWS sends none).
//
// A transfer that fails before a response (a refused connection, a reset, a timeout) is a
// Response with status 0 and `failure` saying why: the caller decides whether to retry.
//
// One HttpClient per thread; several may live in one process.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"

namespace millrace::aws {

struct HttpResponse {
  long status = 0;        // 0: no response (see failure)
  std::string failure;    // why there is no response: curl's message
  std::string body;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `url` with exactly `headers` (Host included) besides Content-Length.
  // Fills `response` (its memory reused from call to call).
  void post(const std::string& url, const std::vector<Header>& headers, std::string_view body,
            HttpResponse& response);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace millrace::aws
