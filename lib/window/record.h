// Record: what ks-window keeps of one parsed JSON record (its group key, and the values its
// aggregates read), and Projection, which takes them from the record's DOM.
//
// A Record outlives the parse it came from: parsing runs on worker threads, the windows on one
// thread, in input order. Its bytes live in an Arena.
//
// The group key is binary, one entry per --by value: a tag, then
//   'n'                           null, or the field missing
//   's' size (u32), bytes         a string, unescaped
//   'i' int64  /  'u' uint64      an integer, as simdjson typed it
//   'j' size (u32), bytes         anything else (a double, true, false, an object, an array) as
//                                 simdjson's minified JSON: distinct doubles have distinct
//                                 shortest forms, so equal keys are equal values
// so equal values (however they were written: "\u0041" and "A", 1.0 and 1.00) group together,
// and the group's JSON for output is the key decoded (write_key_json), once per group.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lines/json.h"
#include "window/select.h"
#include "window/value.h"

namespace millrace::window {

struct Record {
  std::string_view key;           // the --by values, encoded as above
  std::size_t hash = 0;           // of key, the same for equal keys
  std::span<const Value> values;  // the fields the aggregates read (Projection::aggregate_value)
};

// Appends the JSON of each --by value in `key`, each followed by '\n', to `out`; `ends` gets
// the end of each (before its '\n'). The JSON is what simdjson::minify writes for the value.
void write_key_json(std::string_view key, std::string& out, std::vector<std::size_t>& ends);

// The fields read from each record: the --by fields (into the key), the fields of the
// aggregates of a --select list, each once (min and max of one field read it once), and the
// --time field, if any; the top-level names among them in one pass over the record's keys.
// Not thread-safe (it keeps scratch space): one per thread; copies are independent.
class Projection {
 public:
  Projection(std::vector<lines::Field> by, const std::vector<SelectItem>& select);
  // This projection, also reading `time` (the --time field), in the same pass.
  Projection with_time(const lines::Field& time) const;

  // How many values a Record has.
  std::size_t value_count() const { return value_count_; }
  // Per aggregate item of the --select list, in order: the index of its field's value in
  // Record::values, or -1 for count(*), which reads no field.
  const std::vector<int>& aggregate_value() const { return aggregate_value_; }

  // Reads `record`: its key into `arena`, its values into `values` (value_count() of them; their
  // text into `arena`). Returns the Record, whose values are `values`.
  Record read(simdjson::dom::element record, Arena& arena, Value* values);
  // After read(): the value of the --time field, or nullopt when it is missing (or there is no
  // --time). Valid until the record's parser parses again.
  std::optional<simdjson::dom::element> time() const { return time_slot_ ? found_[*time_slot_] : std::nullopt; }

 private:
  struct Layout {
    std::vector<lines::Field> fields;
    std::vector<int> aggregate_value;
  };
  static Layout layout(std::vector<lines::Field> by, const std::vector<SelectItem>& select);
  Projection(Layout layout, std::size_t by_count, std::optional<std::size_t> time_slot);

  std::vector<lines::Field> fields_;  // the --by fields, the aggregates' fields, the --time field
  lines::FieldSet field_set_;         // fields_
  std::size_t by_count_;
  std::size_t value_count_;
  std::vector<int> aggregate_value_;
  std::optional<std::size_t> time_slot_;
  std::vector<std::optional<simdjson::dom::element>> found_;  // per field of fields_
  // One --by value's entry in the key: its tag, and its number or bytes.
  struct KeyPart {
    char tag = 'n';
    std::uint64_t number = 0;  // 'i', 'u'
    std::string_view bytes;    // 's', 'j'
  };
  // `value`'s entry; the minified JSON of a 'j' value is kept in `minified`.
  static KeyPart key_part(const std::optional<simdjson::dom::element>& value, std::string& minified);
  std::vector<KeyPart> parts_;          // per --by field, for the record being read
  std::vector<std::string> minified_;   // per --by field: a 'j' entry's bytes
};

}  // namespace millrace::window
