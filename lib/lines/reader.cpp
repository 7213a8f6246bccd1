#include "lines/reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "cli/error.h"

namespace millrace::lines {
namespace {

// Input is read in chunks of at least this much: large enough that read(2) costs nothing per
// line, small enough to stay in L2 cache while the lines are parsed.
constexpr std::size_t kChunk = 1 << 20;

}  // namespace

std::string Line::where() const { return fmt::format("{}:{}", file, number); }

Reader::Reader(std::vector<std::string> paths, std::size_t max_length)
    : paths_(std::move(paths)), max_length_(max_length) {
  if (paths_.empty()) paths_.push_back("-");
  buffer_.resize(max_length_ + 1 + kChunk + kPadding);
}

Reader::~Reader() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

std::optional<Line> Reader::next() {
  if (skipping_) {
    auto* newline = static_cast<char*>(std::memchr(buffer_.data() + begin_, '\n', end_ - begin_));
    if (newline == nullptr) {
      begin_ = end_;
      if (at_eof_) skipping_ = false;
      return std::nullopt;
    }
    begin_ = static_cast<std::size_t>(newline - buffer_.data()) + 1;
    skipping_ = false;
  }
  if (begin_ == end_) return std::nullopt;
  const char* start = buffer_.data() + begin_;
  auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
  std::size_t length;
  if (newline != nullptr) {
    length = static_cast<std::size_t>(newline - start);
    begin_ += length + 1;
  } else if (at_eof_) {  // the last line of a file without its newline
    length = end_ - begin_;
    begin_ = end_;
  } else if (end_ - begin_ - (buffer_[end_ - 1] == '\r') > max_length_) {  // a \r may start a CRLF
    skipping_ = true;
    begin_ = end_;
    return Line{{start, max_length_}, file_, ++line_number_, true};
  } else {
    return std::nullopt;
  }
  if (length > 0 && start[length - 1] == '\r') --length;
  return Line{{start, std::min(length, max_length_)}, file_, ++line_number_, length > max_length_};
}

std::string_view Reader::block() const {
  std::string_view held(buffer_.data() + begin_, end_ - begin_);
  if (at_eof_) return held;
  std::size_t last_newline = held.rfind('\n');
  return held.substr(0, last_newline == std::string_view::npos ? 0 : last_newline + 1);
}

bool Reader::fill() {
  if (observer_) observer_();
  if (at_eof_) {
    if (!open_next()) return false;
  }
  if (begin_ > 0) {  // keep the partial line, at the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  std::size_t room = buffer_.size() - kPadding - end_;
  for (;;) {
    ssize_t n = ::read(fd_, buffer_.data() + end_, room);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      bytes_read_ += static_cast<std::uint64_t>(n);
      return true;
    }
    if (n == 0) {
      at_eof_ = true;
      return true;
    }
    if (errno == EINTR) return true;  // a signal: nothing new, and the caller looks at its flags
    throw std::system_error(errno, std::generic_category(), "read " + file_);
  }
}

bool Reader::wait(std::int64_t timeout_ms) {
  if (at_eof_) return true;  // fill() opens the next file without blocking
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::clamp<std::int64_t>(timeout_ms, 0, INT32_MAX))) > 0;
}

void Reader::exchange_buffer(Buffer& spare) {
  spare.resize(buffer_.size());
  std::memcpy(spare.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  buffer_.swap(spare);
}

std::optional<std::uint64_t> Reader::input_size() const {
  std::uint64_t total = 0;
  for (const std::string& path : paths_) {
    struct stat st;
    if ((path == "-" ? ::fstat(STDIN_FILENO, &st) : ::stat(path.c_str(), &st)) != 0 || !S_ISREG(st.st_mode))
      return std::nullopt;
    total += static_cast<std::uint64_t>(st.st_size);
  }
  return total;
}

bool Reader::open_next() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
  fd_ = -1;
  if (next_path_ == paths_.size()) return false;
  const std::string& path = paths_[next_path_++];
  if (path == "-") {
    fd_ = STDIN_FILENO;
    file_ = "stdin";
    // A default 64 KiB pipe wakes this reader for every 64 KiB; one of 1 MiB (what an
    // unprivileged process may ask for) lets a fast writer run ahead. Best effort.
    struct stat st;
    if (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode)) ::fcntl(fd_, F_SETPIPE_SZ, 1 << 20);
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw cli::Error(cli::Exit::no_input, path, std::strerror(errno));
    // A directory opens, and fails only at the first read (EISDIR, an I/O error): it is an
    // input that is not there, as a missing file.
    struct stat st;
    if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      throw cli::Error(cli::Exit::no_input, path, "is a directory");
    }
    file_ = path;
  }
  begin_ = end_ = 0;
  lines_before_ += line_number_;
  line_number_ = 0;
  at_eof_ = false;
  skipping_ = false;
  return true;
}

}  // namespace millrace::lines
