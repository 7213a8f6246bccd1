#include "cli/diagnostics.h"

#include <unistd.h>

#include <mutex>

namespace millrace::cli {
namespace {

struct Settings {
  std::string program = "millrace";
  Verbosity verbosity = Verbosity::normal;
  // Diagnostics may come from worker threads while the main thread draws progress.
  std::mutex progress_mutex;
  std::string progress_clear;
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
  {
    std::lock_guard lock(settings().progress_mutex);
    line.insert(0, settings().progress_clear);
    settings().progress_clear.clear();
  }
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

void set_progress_clear(std::string clear) {
  std::lock_guard lock(settings().progress_mutex);
  settings().progress_clear = std::move(clear);
}

}  // namespace millrace::cli
