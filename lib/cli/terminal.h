// Terminal: what a program may draw on a file descriptor, decided once, in one place.
//
// Charts, sparklines and the progress line are decorations: they are drawn only on a terminal,
// in colour only when the user has not asked otherwise (NO_COLOR, https://no-color.org: set and
// not empty), and plain when the terminal says it is dumb (TERM=dumb: no escape sequences).
#pragma once

namespace millrace::cli {

struct TerminalSize {
  int columns = 80;
  int rows = 24;
};

// isatty(fd).
bool is_terminal(int fd);

// Colour on `fd`: a terminal, not TERM=dumb, and NO_COLOR unset or empty.
bool colour_wanted(int fd);

// Escape sequences (clear to end of line, cursor moves) on `fd`: a terminal, not TERM=dumb.
bool escapes_wanted(int fd);

// The size of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS and $LINES, else 80x24.
TerminalSize terminal_size(int fd);

}  // namespace millrace::cli
