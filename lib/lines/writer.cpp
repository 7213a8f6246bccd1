#include "lines/writer.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace millrace::lines {

Writer::Writer(int fd, std::size_t capacity) : fd_(fd), capacity_(capacity) {
  buffer_.reserve(capacity_ + capacity_ / 4);
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
