#include "cli/screen.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "lines/writer.h"

namespace millrace::cli {
namespace {

constexpr std::string_view kEnter = "\x1b[?1049h\x1b[?25l";  // the alternate screen, cursor hidden
constexpr std::string_view kLeave = "\x1b[?25h\x1b[?1049l";  // cursor shown, the normal screen
constexpr std::string_view kHome = "\x1b[H";
constexpr std::string_view kClearLine = "\x1b[2K";
constexpr std::string_view kClearBelow = "\x1b[J";

void write_all(int fd, std::string_view bytes) {
  lines::Writer out(fd);
  out.append(bytes);
  out.flush();
}

}  // namespace

Screen::Screen(int fd) : fd_(fd), escapes_(escapes_wanted(fd)) {
  if (escapes_) write_all(fd_, kEnter);
}

Screen::~Screen() {
  if (!escapes_) return;
  try {
    write_all(fd_, kLeave);
  } catch (...) {  // the terminal has gone: nothing left to restore
  }
}

std::string Screen::frame(const std::vector<std::string>& lines, int rows) {
  std::size_t shown = std::min(lines.size(), static_cast<std::size_t>(std::max(rows, 1)));
  std::string bytes(kHome);
  for (std::size_t i = 0; i < shown; ++i) {
    // Cleared before it is drawn, not after: a line as wide as the terminal leaves the cursor
    // on its last column, where a clear to its end would erase the last character.
    bytes.append(kClearLine).append(lines[i]);
    if (i + 1 < shown) bytes.append("\r\n");
  }
  // Below the frame, what the last one left; a frame that fills the screen leaves nothing.
  if (shown < static_cast<std::size_t>(rows)) bytes.append(shown > 0 ? "\r\n" : "").append(kClearBelow);
  return bytes;
}

void Screen::draw(const std::vector<std::string>& lines) {
  std::string bytes;
  if (escapes_) {
    bytes = frame(lines, size().rows);
  } else {
    if (drawn_) bytes = "\n";
    for (const std::string& line : lines) bytes.append(line).append("\n");
  }
  write_all(fd_, bytes);
  drawn_ = true;
}

}  // namespace millrace::cli
