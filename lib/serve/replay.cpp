#include "serve/replay.h"

#include <algorithm>
#include <deque>
#include <functional>

#include <boost/asio/error.hpp>

#include "serve/link.h"

namespace millrace::serve {

// A Link whose reads take from a string and whose writes append to one; what would complete
// later on a socket is queued and run before the public call returns.
class ReplayConnection::Loop final : public detail::Link, public std::enable_shared_from_this<ReplayConnection::Loop> {
 public:
  explicit Loop(std::shared_ptr<const detail::Settings> settings) : detail::Link(std::move(settings), "replay") {}

  void begin() {
    open();
    run();
  }
  void receive(std::string_view bytes, std::size_t read_size) {
    pending_.append(bytes);
    read_size_ = std::max<std::size_t>(read_size, 1);
    run();
  }
  void end() {
    ended_ = true;
    run();
  }
  void halt() {
    stop();
    run();
  }
  std::string take_output() { return std::exchange(output_, {}); }
  std::size_t requests() const { return requests_; }

  // Runs what is due: answers sent since the last call, the reads and writes they lead to.
  void run() {
    for (;;) {
      if (!tasks_.empty()) {
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        task();
      } else if (read_pending_ && !closed_ && !pending_.empty()) {
        read_pending_ = false;
        std::size_t size = std::min(read_size_, pending_.size());
        auto space = input().prepare(size);
        std::copy_n(pending_.data(), size, static_cast<char*>(space.data()));
        input().commit(size);
        pending_.erase(0, size);
        read_done({});
      } else if (read_pending_ && !closed_ && ended_) {
        read_pending_ = false;
        read_done(boost::asio::error::eof);
      } else {
        return;
      }
    }
  }

  void deliver(std::shared_ptr<ResponseSink>, std::uint64_t slot, Response response) override {
    tasks_.push_back([this, slot, response = std::move(response)]() mutable {
      response_arrived(slot, std::move(response));
    });
  }
  void read() override { read_pending_ = true; }
  void write(const std::vector<detail::net::const_buffer>& buffers) override {
    for (const auto& buffer : buffers) output_.append(static_cast<const char*>(buffer.data()), buffer.size());
    tasks_.push_back([this] { write_done({}); });
  }
  void set_read_deadline(detail::Clock::time_point) override {}
  void close() override { closed_ = true; }
  void finish() override { closed_ = true; }
  bool closed() const override { return closed_; }

 protected:
  void hold(bool) override {}
  std::shared_ptr<ResponseSink> shared_sink() override {
    ++requests_;
    return shared_from_this();
  }

 private:
  std::deque<std::function<void()>> tasks_;
  std::string pending_;
  std::string output_;
  std::size_t read_size_ = 32 << 10;
  std::size_t requests_ = 0;
  bool read_pending_ = false;
  bool ended_ = false;
  bool closed_ = false;
};

ReplayConnection::ReplayConnection(const Limits& limits, Handler handler, BodyLimit body_limit) {
  auto settings = std::make_shared<detail::Settings>();
  settings->limits = limits;
  settings->handler = std::move(handler);
  settings->body_limit = std::move(body_limit);
  link_ = std::make_shared<Loop>(std::move(settings));
  link_->begin();
}

ReplayConnection::~ReplayConnection() = default;

void ReplayConnection::receive(std::string_view bytes, std::size_t read_size) { link_->receive(bytes, read_size); }
void ReplayConnection::end() { link_->end(); }
void ReplayConnection::stop() { link_->halt(); }
std::string ReplayConnection::take_output() {
  link_->run();
  return link_->take_output();
}
bool ReplayConnection::closed() {
  link_->run();
  return link_->closed();
}
std::size_t ReplayConnection::requests() {
  link_->run();
  return link_->requests();
}

}  // namespace millrace::serve
