#include "os/fd.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace millrace::os {
namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Pipe make_pipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw_errno("pipe2");
  Pipe pipe{Fd{ends[0]}, Fd{ends[1]}};
  for (Fd* end : {&pipe.read, &pipe.write}) {
    if (end->get() > 2) continue;
    int moved = ::fcntl(end->get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) throw_errno("fcntl");
    *end = Fd{moved};
  }
  return pipe;
}

void set_nonblocking(const Fd& fd) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl");
}

Fd open_pidfd(int pid) {
  // glibc 2.36's <sys/pidfd.h> lacks extern "C", so the system call is made directly.
  return Fd{static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))};
}

}  // namespace millrace::os
