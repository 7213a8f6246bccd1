// Progress: the line on stderr that tells how long work is going: records, bytes, rate and, when
// the size of the input is known, percent done and time left.
//
//   ks-put: 1,204,000 records, 312 MiB, 45.1k records/s, 11.6 MiB/s ██████░░░░░░░░ 37% 0:42 left
//
// The line is redrawn in place (carriage return, clear to end of line) at most 10 times a second
// and is never wider than the terminal. It is drawn only on a terminal: to a file or a pipe,
// nothing at all; nor, unless asked for, when the data goes to the same terminal. By default (ProgressMode::automatic) it appears once the work has taken a
// second, so quick runs stay quiet, and finish() clears it; with --progress it is drawn from the
// first update, and finish() leaves its last state as a line. The bar is in colour unless
// NO_COLOR is set (cli/terminal.h). A diagnostic written meanwhile (cli::report) clears the
// line first; the next update draws it again.
//
// Not thread-safe: the thread that does the work updates it.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace millrace::lines {
class Reader;
}

namespace millrace::cli {

enum class ProgressMode { automatic, on, off };

// --progress and --no-progress into `mode` (default automatic); returns --progress, which
// excludes the other.
CLI::Option* add_progress(CLI::App& app, ProgressMode& mode);

// Whether the program writes its data to stdout: where stdout is the same terminal, the data's
// lines and the progress line would break each other, so automatic progress stays off.
enum class Stdout { unused, data };

class Progress {
 public:
  // Where and how the line is drawn, and the clock it reads (steady milliseconds).
  struct Output {
    int fd = 2;
    bool terminal = false;  // false: nothing is ever drawn
    bool colour = false;
    bool escapes = false;   // clear to end of line; else the old line is overwritten by spaces
    int columns = 80;
  };
  using Clock = std::function<std::int64_t()>;

  // A line about `noun` ("records", "items") on stderr, as cli/terminal.h finds it.
  Progress(std::string noun, ProgressMode mode, Stdout stdout_use);
  Progress(std::string noun, ProgressMode mode, Output output, Clock clock);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The size of the work, for percent and time left: in bytes (the input files), or in records
  // when bytes are not counted (the records of a stream to delete).
  void set_total_bytes(std::optional<std::uint64_t> bytes) { total_bytes_ = bytes; }
  void set_total_records(std::optional<std::uint64_t> records) { total_records_ = records; }

  // The records and bytes done so far (running totals). Cheap when nothing is drawn: a clock
  // read at most. Updates after finish() are ignored.
  void update(std::uint64_t records, std::uint64_t bytes = 0);

  // Shows `reader`'s progress: its lines as records, its bytes, and the size of its input when
  // every file is a regular file. Updated at each fill(), and by finish(); REQUIRES: `reader`
  // outlives this.
  void follow(lines::Reader& reader);

  // Ends the line: cleared (automatic), or drawn a last time and ended by a newline (--progress).
  // Called by the destructor too.
  void finish();

  // The line as it would be drawn at `now_ms`, without colour, carriage return or escapes (for
  // tests); `last`: the line finish() leaves, with the rates over the whole run.
  std::string line(std::int64_t now_ms, bool last = false) const;

 private:
  std::string compose(std::int64_t now_ms, bool last, bool colour) const;
  void draw(std::int64_t now_ms, bool last);
  void write(const std::string& bytes) const;

  struct Sample {
    std::int64_t ms;
    std::uint64_t records, bytes;
  };
  std::string noun_;
  ProgressMode mode_;
  Output output_;
  Clock clock_;
  std::int64_t started_ms_, last_draw_ms_ = INT64_MIN;
  std::uint64_t records_ = 0, bytes_ = 0;
  std::optional<std::uint64_t> total_bytes_, total_records_;
  std::deque<Sample> samples_;  // the last few seconds' draws, for the rate
  std::size_t drawn_width_ = 0;  // columns of the line on screen; 0: none
  bool finished_ = false;
  const lines::Reader* reader_ = nullptr;  // followed
};

}  // namespace millrace::cli
