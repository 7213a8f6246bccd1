#include "serve/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <limits>
#include <utility>

namespace millrace::serve::detail {

namespace {
// Bytes asked of the socket a read: a request head whole, or a body in few reads.
constexpr std::size_t kReadSize = 32 << 10;
// How long a finished connection drops what its client still sends before it closes, so that
// the client reads the last response (a 413 while it sends the body) instead of a reset.
constexpr auto kLinger = std::chrono::seconds(1);
}  // namespace

void Hub::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
}

void Hub::remove(const Connection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

std::size_t Hub::count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void Hub::stop_all() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : connections_)
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
  }
  for (auto& connection : live) connection->request_stop();
}

Connection::Connection(net::io_context& context, tcp::socket socket, std::shared_ptr<Hub> hub, std::string remote)
    : Link(hub->settings(), std::move(remote)),
      context_(context),
      socket_(std::move(socket)),
      hub_(std::move(hub)),
      read_deadline_(socket_.get_executor()),
      write_deadline_(socket_.get_executor()) {}

Connection::~Connection() { hub_->remove(this); }

void Connection::start() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    error_code ec;
    // Answers go out whole in one write each; Nagle's algorithm would only delay them.
    self->socket_.set_option(tcp::no_delay(true), ec);
    self->open();
  });
}

void Connection::request_stop() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->stop(); });
}

void Connection::deliver(std::shared_ptr<ResponseSink> self, std::uint64_t slot, Response response) {
  // An answer sent by the handler before it returns needs no trip through the scheduler.
  if (context_.get_executor().running_in_this_thread() && dispatching()) {
    answer_now(slot, std::move(response));
    return;
  }
  net::post(socket_.get_executor(), [this, keep = std::move(self), slot, response = std::move(response)]() mutable {
    response_arrived(slot, std::move(response));
  });
}

void Connection::hold(bool unanswered) {
  if (unanswered)
    hold_.emplace(context_.get_executor());
  else
    hold_.reset();
}

void Connection::read() {
  if (closed_) return;
  reading_ = true;
  socket_.async_read_some(input().prepare(kReadSize), [self = shared_from_this()](error_code ec, std::size_t size) {
    self->reading_ = false;
    self->input().commit(size);
    if (self->closed_) return;
    if (self->lingering_) {
      self->input().consume(self->input().size());
      if (ec)
        self->close();
      else
        self->read();
      return;
    }
    self->read_done(ec);
  });
}

void Connection::write(const std::vector<net::const_buffer>& buffers) {
  if (closed_) return;
  writing_ = buffers;
  set_deadline(write_deadline_, settings().transfer_deadline(Clock::now(), net::buffer_size(writing_)));
  // As much as the socket takes in each send, not asio's 64 KiB a send: an answer a little past
  // 64 KiB (a Lambda event of 100 records) goes in one system call, and its reader gets it whole.
  auto as_much_as_taken = [](const error_code& ec, std::size_t) -> std::size_t {
    return ec ? 0 : std::numeric_limits<std::size_t>::max();
  };
  net::async_write(socket_, writing_, as_much_as_taken, [self = shared_from_this()](error_code ec, std::size_t) {
    self->set_deadline(self->write_deadline_, Clock::time_point::max());
    if (self->closed_) return;
    self->write_done(ec);
  });
}

void Connection::set_read_deadline(Clock::time_point when) {
  if (!lingering_) set_deadline(read_deadline_, when);
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  read_deadline_.timer.cancel();
  write_deadline_.timer.cancel();
  // It no longer counts against max_connections, though answers owed may keep it in memory.
  hub_->remove(this);
}

void Connection::finish() {
  if (closed_ || lingering_) return;
  set_deadline(read_deadline_, Clock::now() + kLinger);
  lingering_ = true;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  if (!reading_) read();
}

void Connection::set_deadline(Deadline& deadline, Clock::time_point when) {
  deadline.at = when;
  if (closed_ || when == Clock::time_point::max()) return;
  if (!deadline.waiting)
    arm(deadline);
  else if (when < deadline.timer.expiry())
    deadline.timer.cancel();  // on_deadline re-arms it for the earlier time
}

void Connection::arm(Deadline& deadline) {
  deadline.waiting = true;
  deadline.timer.expires_at(deadline.at);
  deadline.timer.async_wait([self = shared_from_this(), &deadline](error_code) { self->on_deadline(deadline); });
}

void Connection::on_deadline(Deadline& deadline) {
  deadline.waiting = false;
  if (closed_ || deadline.at == Clock::time_point::max()) return;
  if (Clock::now() >= deadline.at) {
    close();  // too slow, or idle too long
    return;
  }
  arm(deadline);
}

}  // namespace millrace::serve::detail
