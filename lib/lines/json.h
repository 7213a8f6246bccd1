// JSON for lines: whole validation, field selection, string escaping.
//
// A line is validated whole with simdjson's DOM parser (the on-demand parser checks only what
// it reads, so it may pick fields but never decide that a line is valid).
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"

namespace millrace::lines {

// JSON nesting deeper than this is refused with a clear error (simdjson's own default).
inline constexpr std::size_t kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

// A FIELD argument: a top-level name ("Name") or a JSON pointer ("/user/id").
class Field {
 public:
  explicit Field(std::string spec);
  const std::string& spec() const { return spec_; }
  // The field as a JSON pointer ("Name" → "/Name").
  const std::string& pointer() const { return pointer_; }
  // The value at this field, or nullopt when it is missing.
  std::optional<simdjson::dom::element> find(simdjson::dom::element root) const;

 private:
  std::string spec_;
  std::string pointer_;
};

// Several fields of one record, found together: the top-level names in one pass over the
// record's keys (a lookup by name scans them each time), JSON pointers one by one.
class FieldSet {
 public:
  explicit FieldSet(std::vector<Field> fields);
  std::size_t size() const { return fields_.size(); }
  // values[i] is the value of field i, or nullopt when it is missing. `values` is resized.
  void find_all(simdjson::dom::element root, std::vector<std::optional<simdjson::dom::element>>& values) const;

 private:
  std::vector<Field> fields_;
  std::vector<std::size_t> names_;     // the fields that are top-level names
  std::vector<std::size_t> pointers_;  // the fields that are JSON pointers
  // Per key length modulo 64, the names (bit j: names_[j]) of that length, so that a key is
  // compared only with names as long as it. Used while there are at most 64 names.
  std::array<std::uint64_t, 64> names_by_length_{};
};

// The text of a field's value for use as a key.
struct FieldText {
  enum class Status { ok, missing, not_scalar } status;
  std::string_view text;  // a string as is, a number as written or in its shortest form, true, false
};

// Validates lines one at a time, reusing its buffers. Not thread-safe; one per thread.
class Validator {
 public:
  Validator();
  // Validates `text`, which must be followed by lines::kPadding readable bytes.
  simdjson::error_code parse(std::string_view text);
  // Announces that the texts parse() is given next are the lines of `block`, in order: whole
  // lines, one after the other, followed by lines::kPadding readable bytes. They are then
  // parsed as one stream (simdjson's parse_many), which for lines of a few hundred bytes takes
  // two thirds of the time of parsing each alone. A line is taken from the stream only when its
  // document starts where the line starts and ends where it ends, but for whitespace; from the
  // first one that is not (a bad line, a line skipped, a number beyond 64 bits) on, each is
  // parsed alone. So every line gets the outcome parse() would give it alone.
  void begin_block(std::string_view block);
  // After a successful parse: the value of `field`. Its text stays valid until the next parse;
  // `scratch` holds the text of numbers.
  FieldText field_text(const Field& field, std::string& scratch);
  // After a successful parse: the parsed document, unless the line holds integers beyond 64
  // bits (then false: it was validated on demand, and has no DOM).
  bool root(simdjson::dom::element& root) const {
    root = root_;
    return has_dom_;
  }

 private:
  // The next document of the block's stream is the one for `text`: take it.
  bool take_from_block(std::string_view text);

  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  // The block begin_block() announced, while its lines come from the stream.
  std::string_view block_;
  simdjson::dom::document_stream block_stream_;
  simdjson::dom::document_stream::iterator block_document_;
  bool in_block_ = false;
  bool took_document_ = false;  // block_document_ is root_: step past it first
  // Lines with integers beyond 64 bits are valid JSON that the DOM parser refuses: they are
  // validated, and their fields read, on demand instead.
  simdjson::ondemand::parser fallback_;
  std::string_view text_;
  bool has_dom_ = false;
};

// A time given in data (ks-window's --time): an ISO 8601 string, or an epoch number (seconds
// below 10^11, else milliseconds). kNotATime for anything else.
EpochMs time_value(simdjson::dom::element value);

// "invalid JSON: the reason", from a simdjson error.
std::string describe(simdjson::error_code error);

// `text` without trailing JSON whitespace.
std::string_view trim_right(std::string_view text);

// Appends `text` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view text);
// `text` as a JSON string literal.
inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}
// Appends `text` as a JSON string literal whatever its bytes: a byte that does not begin a
// well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates) becomes U+FFFD, as JSON's
// strings are UTF-8 and the bytes of a request (a path, a header) need not be.
void append_json_text(std::string& out, std::string_view text);

// Appends the base64 of `bytes` to `out` (Lambda's record data, Firehose's rawData).
void append_base64(std::string& out, std::string_view bytes);
// Appends the bytes that the base64 `text` encodes to `out`; false (and `out` as it was) when
// it is not base64 (a length that is not a multiple of 4, a character outside the alphabet).
// Kinesis's record data, DynamoDB's binary values.
bool append_base64_decoded(std::string& out, std::string_view text);

}  // namespace millrace::lines
