#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace millrace::cli {
namespace {

bool dumb_terminal() {
  const char* term = std::getenv("TERM");
  return term != nullptr && std::string_view(term) == "dumb";
}

// A positive integer from the environment, or `fallback`.
int positive_from_environment(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  long value = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && value > 0 && value < 100'000 ? static_cast<int>(value) : fallback;
}

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

bool colour_wanted(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  return escapes_wanted(fd) && (no_color == nullptr || *no_color == '\0');
}

bool escapes_wanted(int fd) { return is_terminal(fd) && !dumb_terminal(); }

TerminalSize terminal_size(int fd) {
  TerminalSize size{positive_from_environment("COLUMNS", 80), positive_from_environment("LINES", 24)};
  winsize window{};
  if (::ioctl(fd, TIOCGWINSZ, &window) == 0 && window.ws_col > 0 && window.ws_row > 0) {
    size.columns = window.ws_col;
    size.rows = window.ws_row;
  }
  return size;
}

}  // namespace millrace::cli
