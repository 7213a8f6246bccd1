#include "cli/screen.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using millrace::cli::Screen;

TEST_CASE("a frame is drawn over the last: home, each line cleared then drawn, the rest cleared below") {
  CHECK(Screen::frame({"ab", "cd"}, 5) == "\x1b[H\x1b[2Kab\r\n\x1b[2Kcd\r\n\x1b[J");
  // A frame as tall as the screen ends on its last line: no newline to scroll it, nothing below.
  CHECK(Screen::frame({"ab", "cd"}, 2) == "\x1b[H\x1b[2Kab\r\n\x1b[2Kcd");
  // A taller frame shows its first rows.
  CHECK(Screen::frame({"ab", "cd", "ef"}, 2) == "\x1b[H\x1b[2Kab\r\n\x1b[2Kcd");
  CHECK(Screen::frame({}, 3) == "\x1b[H\x1b[J");
}
