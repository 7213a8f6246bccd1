// Items as JSON objects: their top-level attributes as text, and kv-put's updates of them.
//
// An update works on the text of each attribute's value as it was written, so a value that is
// not changed comes back byte for byte (the whitespace between attributes is dropped, and
// names are written with JSON's minimal escapes).
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::table {

// Whether the JSON text of a value is a number (JSON's numbers, and only they, start so).
inline bool is_number_text(std::string_view value) {
  return !value.empty() && (value[0] == '-' || (value[0] >= '0' && value[0] <= '9'));
}

struct Attribute {
  std::string name;         // unescaped
  std::string_view value;   // the value's JSON text as written
  std::string_view string;  // for a string value, its bytes unescaped

  bool is_string() const { return value.starts_with('"'); }
  bool is_number() const { return is_number_text(value); }
};

// The attribute named `name`, or nullptr.
const Attribute* find_attribute(const std::vector<Attribute>& attributes, std::string_view name);

// Splits items into their attributes. Holds a parser and a copy of the item: one per thread,
// and one per item needed at once.
class ItemParser {
 public:
  // The attributes of the JSON object `json`, in order, valid until the next call; nullptr
  // when `json` is not a JSON object.
  const std::vector<Attribute>* split(std::string_view json);
  // The same for `json` followed by simdjson::SIMDJSON_PADDING readable bytes (a line of
  // lines::Reader, or a part of one), read in place.
  const std::vector<Attribute>* split_padded(std::string_view json);

 private:
  simdjson::ondemand::parser parser_;
  std::string copy_;  // an item that has no padding after it, with simdjson's
  std::vector<Attribute> attributes_;
};

// What an update (UpdateItem) does with the attributes it is given: each named in `add` is
// added to the stored number (ADD), every other one replaces the stored value or is appended
// (SET); each named in `remove` is removed (REMOVE).
struct UpdateSpec {
  std::vector<std::string> add;
  std::vector<std::string> remove;
};

// Writes to `out` the item that `update` makes of `stored` (nullptr: there is none yet, and
// ADD starts from 0). Stored attributes keep their order; new ones follow in the update's
// order. Returns what is wrong instead (an ADD to or of a value that is not a number).
std::optional<std::string> apply_update(const std::vector<Attribute>* stored, const std::vector<Attribute>& update,
                                        const UpdateSpec& spec, std::string& out);

// Appends to `out` the sum of the JSON numbers `a` and `b`: exact for integers whose sum fits
// in 64 bits, else a double in its shortest form. Returns what is wrong instead.
std::optional<std::string> add_numbers(std::string_view a, std::string_view b, std::string& out);

}  // namespace millrace::table
