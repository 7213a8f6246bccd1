#include "lines/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace millrace::lines {

Writer::Writer(int fd, std::size_t capacity) : fd_(fd), capacity_(capacity) {
  buffer_.reserve(capacity_ + capacity_ / 4);
  // A pipe of the default 64 KiB takes a 1 MiB write in 16 pieces, each a wake-up of its reader;
  // a pipe as large as the buffer takes it in one. Best effort: the size is capped by
  // /proc/sys/fs/pipe-max-size, and an error leaves the pipe as it was.
  struct stat st;
  if (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode)) ::fcntl(fd_, F_SETPIPE_SZ, static_cast<int>(capacity_));
}

void Writer::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

}  // namespace millrace::lines
