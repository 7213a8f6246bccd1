// Diagnostics on stderr, as "PROGRAM: WHERE: what" (lower case, no full stop).
//
// The program name and the verbosity are set once by App before the run body starts; the
// library reports through these functions and never prints data.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace millrace::cli {

enum class Verbosity { quiet, normal, verbose };

void set_program(std::string name, Verbosity verbosity);
const std::string& program();
Verbosity verbosity();

// Writes one diagnostic line; `where` may be empty. A progress line on stderr is cleared first.
void report(std::string_view where, std::string_view what);

// What erases the progress line (progress.h) now on stderr, written before the next diagnostic;
// "" when none is shown.
void set_progress_clear(std::string clear);

// A warning, or a line a user needs to see (the address a server listens on): shown unless
// --quiet.
template <class... Args>
void warn(std::string_view where, fmt::format_string<Args...> format, Args&&... args) {
  if (verbosity() != Verbosity::quiet) report(where, fmt::format(format, std::forward<Args>(args)...));
}

// A note: shown with --verbose only.
template <class... Args>
void note(std::string_view where, fmt::format_string<Args...> format, Args&&... args) {
  if (verbosity() == Verbosity::verbose) report(where, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace millrace::cli
