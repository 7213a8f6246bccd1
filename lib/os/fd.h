// Fd: a file descriptor owned by one object, closed when it goes; and the pipes that connect
// millrace to the processes it starts.
#pragma once

#include <utility>

namespace millrace::os {

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
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Closes it (close(2) is not retried on EINTR: Linux has closed it anyway).
  void reset();

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};

// A pipe whose ends are close-on-exec (so a process spawned by another thread at the same moment
// does not inherit them) and numbered above 2 (so the dup2 of one end onto 0, 1 or 2 in a child
// cannot overwrite another, should our own stdin, stdout or stderr be closed). Throws
// std::system_error.
Pipe make_pipe();

// Makes our end of a pipe non-blocking, for one thread to serve several. Throws std::system_error.
void set_nonblocking(const Fd& fd);

// A descriptor that becomes readable when the process `pid` exits (pidfd_open), or an empty Fd
// where the kernel has none (Linux before 5.3, or a seccomp filter refusing it).
Fd open_pidfd(int pid);

}  // namespace millrace::os
