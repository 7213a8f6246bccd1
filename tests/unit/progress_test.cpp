#include "cli/progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "cli/diagnostics.h"
#include "metrics/chart_series.h"

using millrace::cli::Progress;
using millrace::cli::ProgressMode;

namespace {

// A pipe standing for the terminal, and a clock the test moves.
struct Screen {
  int fds[2];
  std::int64_t now = 0;
  Screen() {
    REQUIRE(::pipe2(fds, O_NONBLOCK) == 0);
  }
  ~Screen() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  Progress::Output output(bool terminal = true, int columns = 200) const {
    return Progress::Output{fds[1], terminal, false, true, columns};
  }
  Progress::Clock clock() {
    return [this] { return now; };
  }
  std::string drained() const {
    std::string all;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) all.append(buffer, static_cast<std::size_t>(n));
    return all;
  }
};

std::size_t draws(const std::string& bytes) { return static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\r')); }

}  // namespace

TEST_CASE("the progress line shows counts, sizes, rates, percent and time left") {
  Screen screen;
  Progress progress("records", ProgressMode::on, screen.output(), screen.clock());
  progress.set_total_bytes(4000);
  screen.now = 1000;
  progress.update(100, 1000);
  // Over the first second: 100 records/s and 1000 B/s; 1000 of 4000 bytes is 25%, and the 3000
  // left take 3 s at 1000 B/s. The bar: 25% of 16 cells is 4.
  std::string expected = millrace::cli::program() +
                         ": 100 records, 1000 B, 100 records/s, 1000 B/s ████░░░░░░░░░░░░ 25% 0:03 left";
  CHECK(progress.line(1000) == expected);
  CHECK(screen.drained() == "\r" + expected + "\x1b[K");
  // The last line: the rates over the whole run, 100%, no time left, and a newline.
  screen.now = 4000;
  progress.update(400, 4000);
  screen.drained();
  progress.finish();
  CHECK(screen.drained() == "\r" + millrace::cli::program() +
                                ": 400 records, 3.91 KiB, 100 records/s, 1000 B/s ████████████████ 100%\x1b[K\n");
}

TEST_CASE("automatic progress waits a second, then draws at most ten times a second, and is cleared at the end") {
  Screen screen;
  Progress progress("records", ProgressMode::automatic, screen.output(), screen.clock());
  for (screen.now = 0; screen.now < 1000; screen.now += 10) progress.update(static_cast<std::uint64_t>(screen.now));
  CHECK(screen.drained().empty());  // quick work draws nothing
  for (; screen.now < 3000; screen.now += 10) progress.update(static_cast<std::uint64_t>(screen.now));
  // From 1000 ms to 2990 ms: a draw at 1000, then every 100 ms: 20.
  CHECK(draws(screen.drained()) == 20);
  progress.finish();
  CHECK(screen.drained() == "\r\x1b[K");
  progress.update(1, 1);  // after the end: nothing
  CHECK(screen.drained().empty());
}

TEST_CASE("no progress line where stderr is not a terminal, or with --no-progress") {
  Screen screen;
  {
    Progress progress("records", ProgressMode::on, screen.output(false), screen.clock());
    screen.now = 5000;
    progress.update(10, 10);
  }
  {
    Progress progress("records", ProgressMode::off, screen.output(true), screen.clock());
    screen.now = 10000;
    progress.update(10, 10);
  }
  CHECK(screen.drained().empty());
}

TEST_CASE("the progress line never wraps: it is cut to the terminal's width, bar first") {
  Screen screen;
  Progress progress("records", ProgressMode::on, screen.output(true, 40), screen.clock());
  progress.set_total_records(1000);
  screen.now = 1000;
  progress.update(500);
  std::string drawn = screen.drained();
  CHECK(drawn.find("\u2588") == std::string::npos);  // no room for the bar
  CHECK(millrace::metrics::display_width(drawn.substr(1, drawn.size() - 4)) == 39);
}

TEST_CASE("without escapes (TERM=dumb), a shorter line is padded over the longer one before it") {
  Screen screen;
  Progress::Output output = screen.output();
  output.escapes = false;
  Progress progress("items", ProgressMode::on, output, screen.clock());
  screen.now = 1000;
  progress.update(1000000);
  std::string first = screen.drained();
  screen.now = 1100;
  progress.update(5);  // fewer digits: the rest of the old line is blanked
  std::string second = screen.drained();
  CHECK(first.find('\x1b') == std::string::npos);
  CHECK(second.size() >= first.size());
}
