#include "cli/diagnostics.h"

#include <unistd.h>

namespace millrace::cli {
namespace {

struct Settings {
  std::string program = "millrace";
  Verbosity verbosity = Verbosity::normal;
};

Settings& settings() {
  static Settings instance;
  return instance;
}

}  // namespace

void set_program(std::string name, Verbosity verbosity) {
  settings().program = std::move(name);
  settings().verbosity = verbosity;
}

const std::string& program() { return settings().program; }
Verbosity verbosity() { return settings().verbosity; }

void report(std::string_view where, std::string_view what) {
  // One write(2) per line, so the lines of concurrent processes sharing stderr do not interleave.
  std::string line = where.empty() ? fmt::format("{}: {}\n", program(), what)
                                   : fmt::format("{}: {}: {}\n", program(), where, what);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace millrace::cli
