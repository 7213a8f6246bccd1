// Connection: a Link over a TCP socket, with its deadlines; Hub: the server's live connections.
//
// Internal to lib/serve. Each connection belongs to one of the server's I/O contexts, each run
// by one thread: its reads, writes, timers and protocol run on that thread, one at a time,
// without locks. Only deliver() and request_stop() come from other threads (they post).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "serve/link.h"

namespace millrace::serve::detail {

using tcp = net::ip::tcp;
class Connection;

// The connections of one server: counted for Limits::max_connections, told when it stops.
// Thread-safe.
class Hub {
 public:
  explicit Hub(std::shared_ptr<const Settings> settings) : settings_(std::move(settings)) {}

  const std::shared_ptr<const Settings>& settings() const { return settings_; }
  void add(const std::shared_ptr<Connection>& connection);
  void remove(const Connection* connection);
  std::size_t count() const;
  // Asks every connection to stop (Link::stop on its thread).
  void stop_all();

 private:
  std::shared_ptr<const Settings> settings_;
  mutable std::mutex mutex_;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
};

class Connection final : public Link, public std::enable_shared_from_this<Connection> {
 public:
  // `socket` is connected, its executor that of `context`.
  Connection(net::io_context& context, tcp::socket socket, std::shared_ptr<Hub> hub, std::string remote);
  ~Connection() override;

  // Begins reading; any thread.
  void start();
  // Link::stop on the connection's thread; any thread.
  void request_stop();
  void deliver(std::shared_ptr<ResponseSink> self, std::uint64_t slot, Response response) override;

  void read() override;
  void write(const std::vector<net::const_buffer>& buffers) override;
  void set_read_deadline(Clock::time_point when) override;
  void close() override;
  void finish() override;
  bool closed() const override { return closed_; }

 protected:
  void hold(bool unanswered) override;
  std::shared_ptr<ResponseSink> shared_sink() override { return shared_from_this(); }

 private:
  // A time after which the connection is closed. The timer is moved only when the deadline
  // comes earlier; a later one is noticed when the timer fires, so that pushing a deadline
  // back after each read costs no timer operation.
  struct Deadline {
    explicit Deadline(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;
    Clock::time_point at = Clock::time_point::max();
    bool waiting = false;
  };
  void set_deadline(Deadline& deadline, Clock::time_point when);
  void arm(Deadline& deadline);
  void on_deadline(Deadline& deadline);

  net::io_context& context_;
  tcp::socket socket_;
  std::shared_ptr<Hub> hub_;
  Deadline read_deadline_;
  Deadline write_deadline_;
  std::vector<net::const_buffer> writing_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> hold_;
  bool reading_ = false;
  bool lingering_ = false;
  bool closed_ = false;
};

}  // namespace millrace::serve::detail
