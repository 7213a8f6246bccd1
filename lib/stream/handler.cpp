#include "stream/handler.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <utility>

#include "stream/handler_output.h"

extern char** environ;

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

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);  // close(2) is not retried on EINTR: Linux has closed it anyway
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A pipe whose ends are close-on-exec (so a handler spawned by another thread at the same moment
// does not inherit them) and numbered above 2 (so the dup2 of one end onto 0, 1 or 2 in the child
// cannot overwrite another, should our own stdin, stdout or stderr be closed).
std::pair<Fd, Fd> make_pipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw_errno("pipe2");
  Fd read_end{ends[0]}, write_end{ends[1]};
  for (Fd* end : {&read_end, &write_end}) {
    if (end->get() > 2) continue;
    int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) throw_errno("fcntl");
    *end = Fd{moved};
  }
  return {std::move(read_end), std::move(write_end)};
}

// Our end of a pipe never blocks: one thread serves three pipes.
void set_nonblocking(const Fd& fd) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl");
}

// The handler's process: while it is not reaped, destruction (an exception) kills its whole
// group and reaps it, so no handler outlives a failed invocation.
class Child {
 public:
  Child(const std::string& command, int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    if (int error = ::posix_spawn_file_actions_init(&actions))
      throw std::system_error(error, std::generic_category(), "posix_spawn");
    if (int error = ::posix_spawnattr_init(&attr)) {
      ::posix_spawn_file_actions_destroy(&actions);
      throw std::system_error(error, std::generic_category(), "posix_spawn");
    }
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    char sh[] = "sh", dash_c[] = "-c";
    char* argv[] = {sh, dash_c, const_cast<char*>(command.c_str()), nullptr};
    // Every signal to its default and none blocked: we ignore SIGPIPE and may catch SIGINT and
    // SIGTERM, and a handler inheriting SIG_IGN for SIGPIPE would loop on EPIPE (`yes | head`).
    // Its own process group lets a timeout kill its background processes too. Only its three
    // pipes survive the exec: closefrom(3) also covers descriptors opened without O_CLOEXEC.
    // The first error (ENOMEM, in practice) ends the chain and is thrown as posix_spawn's.
    int error = ::posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    error = error ? error : ::posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    error = error ? error : ::posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    error = error ? error : ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    error = error ? error : ::posix_spawnattr_setsigdefault(&attr, &all);
    error = error ? error : ::posix_spawnattr_setsigmask(&attr, &none);
    error = error ? error : ::posix_spawnattr_setpgroup(&attr, 0);
    error = error
                ? error
                : ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                                        POSIX_SPAWN_SETPGROUP);
    error = error ? error : ::posix_spawn(&pid_, "/bin/sh", &actions, &attr, argv, environ);
    ::posix_spawnattr_destroy(&attr);
    ::posix_spawn_file_actions_destroy(&actions);
    if (error) throw std::system_error(error, std::generic_category(), "posix_spawn /bin/sh");
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (reaped_) return;
    kill_group();
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

  pid_t pid() const { return pid_; }
  // SIGKILL to the group, whose id is the handler's pid while it is unreaped (a zombie leader
  // keeps the id from being reused).
  void kill_group() { ::kill(-pid_, SIGKILL); }
  // True when the handler has exited, without reaping it.
  bool exited() {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno != EINTR) throw_errno("waitid");
    }
    return info.si_pid == pid_;
  }
  // Reaps the handler; returns its exit status, or 128 + the signal that killed it.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) throw_errno("waitpid");
    }
    reaped_ = true;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

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

HandlerResult run_handler(const std::string& command, std::string_view input,
                          std::optional<std::int64_t> timeout_ms, std::string_view label,
                          lines::Writer& out) {
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> deadline;
  if (timeout_ms) deadline = Clock::now() + std::chrono::milliseconds(*timeout_ms);

  auto [stdin_read, stdin_write] = make_pipe();
  auto [stdout_read, stdout_write] = make_pipe();
  auto [stderr_read, stderr_write] = make_pipe();
  // Best effort, as in Writer: the size is capped by /proc/sys/fs/pipe-max-size.
  if (input.size() > kDefaultPipeSize)
    ::fcntl(stdin_write.get(), F_SETPIPE_SZ,
            static_cast<int>(std::min(input.size(), kMaxPipeSize)));
  Child child(command, stdin_read.get(), stdout_write.get(), stderr_write.get());
  // Our copies of the child's ends go, so its exit is our end of file.
  stdin_read.reset();
  stdout_write.reset();
  stderr_write.reset();
  for (const Fd* fd : {&stdin_write, &stdout_read, &stderr_read}) set_nonblocking(*fd);
  // glibc 2.36's <sys/pidfd.h> lacks extern "C", so the system call is made directly. -1 where
  // unsupported: then waitid polls.
  Fd pidfd{static_cast<int>(::syscall(SYS_pidfd_open, child.pid(), 0))};

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
