// What the fuzz targets share: a check that stays on in release builds, and the inputs cut
// into lines with the padding simdjson reads past a text.
//
// A target is tests/fuzz/NAME.cpp defining LLVMFuzzerTestOneInput; it checks properties of
// what it parses (round trips, agreement with an independent computation), not only that
// nothing crashes. A failed check aborts, which libFuzzer reports as a crash with its input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lines/reader.h"

namespace millrace::fuzz {

// Aborts with `what` when `ok` is false. NDEBUG builds keep it, unlike assert().
inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The lines of `text`, split at '\n' (no line holds one; a final '\n' ends the last line).
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

// A copy of a text followed by lines::kPadding bytes, as the reader hands out lines.
class Padded {
 public:
  explicit Padded(std::string_view text) : bytes_(text), size_(text.size()) { bytes_.append(lines::kPadding, ' '); }
  std::string_view view() const { return {bytes_.data(), size_}; }

 private:
  std::string bytes_;
  std::size_t size_;
};

}  // namespace millrace::fuzz
