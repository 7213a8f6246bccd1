#include "aws/http_client.h"

#include "aws/curl_library.h"

#include <array>
#include <mutex>
#include <stdexcept>

namespace millrace::aws {
namespace {

// The process's one pool: connections, DNS answers and TLS sessions shared by every handle.
class SharedPool {
 public:
  static SharedPool& instance() {
    static SharedPool pool;
    return pool;
  }
  CURLSH* share() const { return share_; }

 private:
  SharedPool() {
    share_ = curl().share_init();
    if (share_ == nullptr) throw std::runtime_error("libcurl could not make a connection pool");
    curl().share_setopt(share_, CURLSHOPT_LOCKFUNC, &SharedPool::lock);
    curl().share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &SharedPool::unlock);
    curl().share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  // Never freed: handles may outlive static destruction order, and the OS closes the sockets.

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<SharedPool*>(self)->mutexes_.at(static_cast<std::size_t>(data)).lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<SharedPool*>(self)->mutexes_.at(static_cast<std::size_t>(data)).unlock();
  }

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

struct HttpClient::Handle {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string header_line;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() {
    curl().slist_free_all(headers);
    if (easy != nullptr) curl().easy_cleanup(easy);
  }
};

HttpClient::HttpClient() : handle_(std::make_unique<Handle>()) {
  CURLSH* share = SharedPool::instance().share();
  handle_->easy = curl().easy_init();
  if (handle_->easy == nullptr) throw std::runtime_error("libcurl could not make a handle");
  CURL* easy = handle_->easy;
  curl().easy_setopt(easy, CURLOPT_SHARE, share);
  curl().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl().easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl().easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl().easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  // GetRecords answers within 5 s on AWS, PutRecords of 5 MiB within seconds: a minute means
  // the connection is stuck, and the request is retried on another.
  curl().easy_setopt(easy, CURLOPT_TIMEOUT_MS, 60'000L);
  curl().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &append_body);
  curl().easy_setopt(easy, CURLOPT_ERRORBUFFER, handle_->error);
}

HttpClient::~HttpClient() = default;

void HttpClient::post(const std::string& url, const std::vector<Header>& headers, std::string_view body,
                      HttpResponse& response) {
  Handle& h = *handle_;
  curl().slist_free_all(h.headers);
  h.headers = nullptr;
  for (const Header& header : headers) {
    h.header_line.assign(header.name).append(": ").append(header.value);
    h.headers = curl().slist_append(h.headers, h.header_line.c_str());
  }
  // What curl would add by itself and the signature does not cover: none of it is wanted.
  for (const char* unwanted : {"Accept:", "Expect:"}) h.headers = curl().slist_append(h.headers, unwanted);
  response.status = 0;
  response.failure.clear();
  response.body.clear();
  h.error[0] = '\0';
  curl().easy_setopt(h.easy, CURLOPT_URL, url.c_str());
  curl().easy_setopt(h.easy, CURLOPT_HTTPHEADER, h.headers);
  curl().easy_setopt(h.easy, CURLOPT_POSTFIELDS, body.data());
  curl().easy_setopt(h.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl().easy_setopt(h.easy, CURLOPT_WRITEDATA, &response.body);
  CURLcode code = curl().easy_perform(h.easy);
  if (code != CURLE_OK) {
    response.failure = h.error[0] != '\0' ? h.error : curl().easy_strerror(code);
    response.body.clear();
    return;
  }
  curl().easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &response.status);
}

}  // namespace millrace::aws
