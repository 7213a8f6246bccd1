// Screen: a picture redrawn in place on a terminal, as top, watch(1) and ttyplot redraw theirs
// (cw-stats --watch).
//
// Where escape sequences are wanted (cli/terminal.h), the frames are drawn on the alternate
// screen with the cursor hidden, each over the last: the cursor goes home, each line is
// cleared and drawn, and the screen below the last is cleared; a frame is one write, so the
// terminal never shows half of one. Leaving (the destructor, also when an exception passes)
// shows the cursor and goes back to the normal screen as it was, so the shell's prompt comes
// back where it was. On a dumb terminal, frames follow one another, a blank line between two.
#pragma once

#include <string>
#include <vector>

#include "cli/terminal.h"

namespace millrace::cli {

class Screen {
 public:
  // Takes over the terminal on `fd`.
  explicit Screen(int fd);
  ~Screen();
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  TerminalSize size() const { return terminal_size(fd_); }

  // Draws a frame of `lines` (without newlines, none wider than the terminal), its first rows
  // when there are more than the terminal has. Throws std::system_error as lines::Writer.
  void draw(const std::vector<std::string>& lines);

  // The bytes of a frame on a terminal that takes escapes, of `rows` rows (for tests).
  static std::string frame(const std::vector<std::string>& lines, int rows);

 private:
  int fd_;
  bool escapes_;
  bool drawn_ = false;
};

}  // namespace millrace::cli
