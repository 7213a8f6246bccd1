// Writer: buffered output to a file descriptor (stdout), aware of closed pipes.
//
// Data is written with write(2) when the buffer passes its capacity or on flush(). A closed
// reader (`| head`) makes flush() throw std::system_error(EPIPE), which App::run turns into a
// quiet exit; any other failure throws std::system_error (exit 74). Nothing is written by the
// destructor: a caller flushes what it means to deliver, and only then checkpoints it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace millrace::lines {

class Writer {
 public:
  // Writes to `fd`, flushing when more than `capacity` bytes are buffered.
  explicit Writer(int fd, std::size_t capacity = 1 << 20);

  // The buffer, for formatting in place; call maybe_flush() after appending.
  std::string& buffer() { return buffer_; }
  void append(std::string_view text) {
    buffer_.append(text);
    maybe_flush();
  }
  void maybe_flush() {
    if (buffer_.size() >= capacity_) flush();
  }
  bool empty() const { return buffer_.empty(); }

  // Writes every buffered byte. Throws std::system_error (EPIPE when the reader has gone).
  void flush();

 private:
  int fd_;
  std::size_t capacity_;
  std::string buffer_;
};

}  // namespace millrace::lines
