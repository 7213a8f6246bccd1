// Reader: JSON lines (or any lines) from files or stdin, in order, with the place of each line.
//
// Files are read in the order given; "-" is stdin; no file at all means stdin (as cat(1)).
// Each line's text is followed in memory by at least kPadding readable bytes, so simdjson can
// parse it in place. A line longer than the limit is reported once, truncated and marked, and
// the rest of it is skipped: one bad line never costs the reader its place.
//
// Not thread-safe: one thread reads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/buffer.h"

namespace millrace::lines {

// Readable bytes after every line (simdjson::SIMDJSON_PADDING).
inline constexpr std::size_t kPadding = 64;

struct Line {
  std::string_view text;   // without the newline (and without a trailing \r)
  std::string_view file;   // the path, or "stdin"
  std::uint64_t number;    // 1-based, within its file
  bool too_long;           // text holds only the first max_length bytes of the line

  std::string where() const;  // "FILE:LINE", for diagnostics
};

class Reader {
 public:
  // Throws cli::Error (no_input, 66) for a file that cannot be opened, when it is reached.
  Reader(std::vector<std::string> paths, std::size_t max_length);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The next whole line already in the buffer, or nullopt when fill() must be called.
  // The line's text stays valid until the next call of fill().
  std::optional<Line> next();

  // The whole lines next() will return before fill() is needed, as one text (with their
  // newlines, followed by kPadding readable bytes): for lines::Validator::begin_block. Valid
  // until the next call of fill().
  std::string_view block() const;

  // Reads more input, blocking until some arrives or a signal interrupts the wait (then with
  // nothing new). Returns false at the end of all input. Throws std::system_error when reading
  // fails.
  bool fill();

  // Waits up to `timeout_ms` for input, so a caller can act on a timer while the input is idle;
  // true when fill() would not block. A signal ends the wait early (false).
  bool wait(std::int64_t timeout_ms);

  // Hands the buffer that holds the lines next() has returned to the caller, so that their text
  // stays valid after the next fill() (while other threads parse them, say). The reader goes on
  // in `spare`, whatever its size and contents, having copied into it what next() has not yet
  // returned; `spare` becomes the old buffer. Line::file still changes with the next file.
  void exchange_buffer(Buffer& spare);

  // What has been read so far: bytes of input, and lines returned by next().
  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t lines_read() const { return lines_before_ + line_number_; }
  // The size of the whole input when every file (stdin too) is a regular file, from stat(2);
  // nullopt when one is a pipe, a terminal or missing.
  std::optional<std::uint64_t> input_size() const;
  // Calls `observer` as each fill() begins, when the lines of the bytes read so far have been
  // taken: a progress line's update.
  void after_each_read(std::function<void()> observer) { observer_ = std::move(observer); }

 private:
  bool open_next();

  std::vector<std::string> paths_;
  std::size_t next_path_ = 0;
  std::size_t max_length_;
  Buffer buffer_;
  std::size_t begin_ = 0, end_ = 0;
  int fd_ = -1;
  std::string file_;
  std::uint64_t line_number_ = 0;
  bool at_eof_ = true;     // the current file (none at first) has no more bytes
  bool skipping_ = false;  // inside a line already reported as too long
  std::uint64_t bytes_read_ = 0;
  std::uint64_t lines_before_ = 0;  // lines of the files before this one
  std::function<void()> observer_;
};

}  // namespace millrace::lines
