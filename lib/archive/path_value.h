// Path values: a value from the data (a partition key) as one component of an object's path.
//
// The value is encoded, never sanitized, so two different values never share a partition and
// no value can name a place outside it:
//   - bytes other than A-Z a-z 0-9 - _ . are percent-encoded (%2F for "/", %00 for NUL, %25
//     for "%", %7E for "~", and every byte of non-ASCII UTF-8);
//   - a leading "." is encoded too (%2E), so no value becomes ".", ".." or a hidden file;
//   - the empty value is "%", which no other value encodes to;
//   - an encoding longer than kMaxEncodedValue bytes keeps its first kKeptEncodedBytes bytes
//     (never half of a %XX) and ends with "~" and 32 hex digits of the value's SHA-256, so a
//     path component stays far below NAME_MAX (255) and distinct values stay distinct.
// The result is never empty, never holds "/" or NUL, and never begins with ".".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace millrace::archive {

inline constexpr std::size_t kMaxEncodedValue = 96;
inline constexpr std::size_t kKeptEncodedBytes = 48;

// Appends the encoding of `value` to `out`.
void append_path_value(std::string& out, std::string_view value);
std::string encode_path_value(std::string_view value);

}  // namespace millrace::archive
