// What a handler writes, on its way out: its stdout to ours with a partial batch response taken
// out, its stderr to ours line by line with a prefix. Used by run_handler (handler.h); each
// object serves one invocation on one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/writer.h"

namespace millrace::stream {

// Lambda's invocation payload limit is 6 MB: a longer line cannot be a partial batch response,
// so it streams through instead of being held in memory.
inline constexpr std::size_t kMaxResponseLine = 6 << 20;
// A longer stderr line is written in pieces, each prefixed, to keep its buffer bounded.
inline constexpr std::size_t kMaxStderrLine = 64 << 10;

// The itemIdentifier values of Lambda's partial batch response
// {"batchItemFailures":[{"itemIdentifier":"SEQ"},...]}, in order, or nullopt when `line` is not
// a JSON object with such a member. A null list is an empty one (Lambda: full success); an entry
// without a string itemIdentifier gives "" (Lambda: the whole batch failed).
std::optional<std::vector<std::string>> parse_batch_response(std::string_view line);

// The handler's stdout on its way to `out`. Holds back only the last line with more than
// blanks, which may be the response; everything before it goes to `out` as soon as it arrives.
class StdoutFilter {
 public:
  explicit StdoutFilter(lines::Writer& out) : out_(out) {}

  // Appends to out.buffer() what can no longer be the last line, then out.maybe_flush().
  void feed(std::string_view data);
  // At the handler's end: writes what was held back unless it is a response (blank lines after
  // one are written), flushes `out`, and returns the response's identifiers (none without one).
  // Throws what out.flush() throws.
  std::vector<std::string> finish();

 private:
  lines::Writer& out_;
  std::string held_;      // from the start of the last non-blank line on (or only blanks)
  bool passing_ = false;  // inside a line too long to be a response: it streams to its newline
};

// The handler's stderr on its way to fd 2: a line at a time, each prefixed with "LABEL: " and
// written with one write(2), so that lines of handlers running at once do not interleave.
// Errors writing fd 2 are ignored: a handler's diagnostics are no reason to fail its batch.
class StderrLines {
 public:
  explicit StderrLines(std::string_view label);
  void feed(std::string_view data);
  // Ends an unfinished last line with a newline.
  void finish();
  // Prefixes the lines from the one being written on with "LABEL: " (a warm runtime's output
  // carries the label of its invocation of the moment).
  void relabel(std::string_view label);

 private:
  void write_line();
  std::size_t prefix_length_;
  std::string line_;  // the prefix, then the line so far
};

}  // namespace millrace::stream
