#include "stream/handler.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "os/child.h"
#include "os/fd.h"
#include "stream/handler_output.h"

namespace millrace::stream {
namespace {

// A stdin pipe up to as large as the Writer's buffer: a batch of 10000 records goes in a few
// writes, each a wake-up of the handler, instead of one per 64 KiB. Only for a batch larger than
// the default 64 KiB: the pages a user's pipes may have are limited (pipe-user-pages-soft), and
// past the limit every new pipe of the user gets one page.
constexpr std::size_t kDefaultPipeSize = 1 << 16;
constexpr std::size_t kMaxPipeSize = 1 << 20;
// Without a pidfd (Linux before 5.3, or a seccomp filter refusing it), how often to check whether
// the handler has exited while a background process of it holds its pipes open...
constexpr int kExitPollMs = 50;
// ...and how often once both its output pipes are closed, since exit is what closes them.
constexpr int kExitingPollMs = 1;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

using os::Fd;

// Reads what is ready on `fd` into `sink`: false at end of file. At most `limit` bytes.
template <class Sink>
bool read_ready(Fd& fd, std::string& buffer, Sink&& sink, std::size_t limit = SIZE_MAX) {
  std::size_t total = 0;
  while (total < limit) {
    ssize_t n = ::read(fd.get(), buffer.data(), std::min(buffer.size(), limit - total));
    if (n > 0) {
      sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      total += static_cast<std::size_t>(n);
    } else if (n == 0) {
      fd.reset();
      return false;
    } else if (errno == EAGAIN) {
      return true;
    } else if (errno != EINTR) {
      throw_errno("read");
    }
  }
  return true;
}

}  // namespace

std::string HandlerResult::describe() const {
  if (!error.empty()) return error;
  if (status == Status::timed_out) return "timed out";
  return "exited with " + std::to_string(exit_status);
}

HandlerResult run_handler(const std::string& command, std::string_view input,
                          std::optional<std::int64_t> timeout_ms, std::string_view label,
                          lines::Writer& out) {
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> deadline;
  if (timeout_ms) deadline = Clock::now() + std::chrono::milliseconds(*timeout_ms);

  auto [stdin_read, stdin_write] = os::make_pipe();
  auto [stdout_read, stdout_write] = os::make_pipe();
  auto [stderr_read, stderr_write] = os::make_pipe();
  // Best effort, as in Writer: the size is capped by /proc/sys/fs/pipe-max-size.
  if (input.size() > kDefaultPipeSize)
    ::fcntl(stdin_write.get(), F_SETPIPE_SZ,
            static_cast<int>(std::min(input.size(), kMaxPipeSize)));
  // Record data never goes into the command's arguments or environment: only into its stdin.
  os::Child child({{"/bin/sh", "-c", command}, std::nullopt, "", stdin_read.get(), stdout_write.get(), stderr_write.get()});
  // Our copies of the child's ends go, so its exit is our end of file.
  stdin_read.reset();
  stdout_write.reset();
  stderr_write.reset();
  for (const Fd* fd : {&stdin_write, &stdout_read, &stderr_read}) os::set_nonblocking(*fd);
  Fd pidfd = os::open_pidfd(child.pid());  // empty where unsupported: then waitid polls

  StdoutFilter stdout_filter(out);
  StderrLines stderr_lines(label);
  auto to_stdout = [&](std::string_view data) { stdout_filter.feed(data); };
  auto to_stderr = [&](std::string_view data) { stderr_lines.feed(data); };
  std::string buffer(kDefaultPipeSize, '\0');  // one read empties a default pipe

  if (input.empty()) stdin_write.reset();
  std::size_t written = 0;
  bool timed_out = false;
  for (;;) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<decltype(left)>(left, 1 << 30));
    }
    if (!pidfd) {
      int tick = stdout_read || stderr_read ? kExitPollMs : kExitingPollMs;
      wait_ms = wait_ms < 0 ? tick : std::min(wait_ms, tick);
    }
    pollfd fds[4];
    nfds_t count = 0;
    auto add = [&](const Fd& fd, short events) -> pollfd* {
      if (!fd) return nullptr;
      fds[count] = {fd.get(), events, 0};
      return &fds[count++];
    };
    pollfd* in = add(stdin_write, POLLOUT);
    pollfd* out_poll = add(stdout_read, POLLIN);
    pollfd* err_poll = add(stderr_read, POLLIN);
    pollfd* exit_poll = add(pidfd, POLLIN);
    if (::poll(fds, count, wait_ms) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (in && in->revents) {
      ssize_t n = ::write(stdin_write.get(), input.data() + written, input.size() - written);
      if (n >= 0) {
        written += static_cast<std::size_t>(n);
        if (written == input.size()) stdin_write.reset();  // end of file: the batch is whole
      } else if (errno == EPIPE) {
        stdin_write.reset();  // it stopped reading: not an error, its exit status decides
      } else if (errno != EAGAIN && errno != EINTR) {
        throw_errno("write");
      }
    }
    if (out_poll && out_poll->revents) read_ready(stdout_read, buffer, to_stdout);
    if (err_poll && err_poll->revents) read_ready(stderr_read, buffer, to_stderr);
    // The handler's exit ends the invocation, even while a background process of it holds
    // the pipes open (Lambda freezes such processes when the function returns).
    if (exit_poll ? exit_poll->revents != 0 : child.exited()) break;
  }
  if (timed_out) child.kill_group();
  int exit_status = child.wait();
  // What the handler wrote before it ended is still in the pipes; no more than their capacity,
  // so a background process writing on cannot hold us here.
  if (stdout_read)
    read_ready(stdout_read, buffer, to_stdout,
               std::max(::fcntl(stdout_read.get(), F_GETPIPE_SZ), 0));
  if (stderr_read)
    read_ready(stderr_read, buffer, to_stderr,
               std::max(::fcntl(stderr_read.get(), F_GETPIPE_SZ), 0));
  stderr_lines.finish();

  HandlerResult result;
  result.item_failures = stdout_filter.finish();
  result.exit_status = exit_status;
  result.status = timed_out          ? HandlerResult::Status::timed_out
                  : exit_status == 0 ? HandlerResult::Status::ok
                                     : HandlerResult::Status::failed;
  return result;
}

}  // namespace millrace::stream
