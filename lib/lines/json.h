// JSON for lines: whole validation, field selection, string escaping.
//
// A line is validated whole with simdjson's DOM parser (the on-demand parser checks only what
// it reads, so it may pick fields but never decide that a line is valid).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::lines {

// JSON nesting deeper than this is refused with a clear error (simdjson's own default).
inline constexpr std::size_t kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

// A FIELD argument: a top-level name ("Name") or a JSON pointer ("/user/id").
class Field {
 public:
  explicit Field(std::string spec);
  const std::string& spec() const { return spec_; }
  // The value at this field, or nullopt when it is missing.
  std::optional<simdjson::dom::element> find(simdjson::dom::element root) const;

 private:
  std::string spec_;
  bool pointer_;
};

// Validates lines one at a time, reusing its buffers. Not thread-safe; one per thread.
class Validator {
 public:
  Validator();
  // Parses `text`, which must be followed by lines::kPadding readable bytes. On success the
  // document stays valid until the next call; on failure returns the reason.
  simdjson::error_code parse(std::string_view text, simdjson::dom::element& root);

 private:
  simdjson::dom::parser parser_;
};

// "invalid JSON: the reason", from a simdjson error.
std::string describe(simdjson::error_code error);

// The text of a scalar for use as a key: a string as is, a number in its shortest form, true,
// false. nullopt for null, objects and arrays. `scratch` holds the text of non-strings.
std::optional<std::string_view> scalar_text(simdjson::dom::element value, std::string& scratch);

// Appends `text` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace millrace::lines
