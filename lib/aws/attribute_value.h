// DynamoDB's typed attribute values and the plain JSON items of the store's tables, converted
// both ways, exactly (millrace(7), "Typed values"):
//
//   {"S":"text"}            "text"
//   {"N":"1.50"}            1.5          DynamoDB's text of the number (store/decimal.h), kept
//                                        digit for digit, never through a double
//   {"BOOL":true}           true
//   {"NULL":true}           null
//   {"M":{"a":…}}           {"a":…}
//   {"L":[…]}               […]
//   {"B":"AAEC"}            {"$B":"AAEC"}          base64, as DynamoDB gives it back
//   {"SS":["a","b"]}        {"$SS":["a","b"]}      in the order given
//   {"NS":["1","2.5"]}      {"$NS":[1,2.5]}        JSON numbers
//   {"BS":["AAEC"]}         {"$BS":["AAEC"]}
//
// The other way, an object of one member "$B", "$SS", "$NS" or "$BS" whose value has that shape
// (base64 as DynamoDB writes it; a non-empty array of distinct strings, of numbers, of such
// base64 strings) is read as that type: a map of one such member is therefore not kept as a map
// (the collision, documented).
// Numbers written by kv-put beyond DynamoDB's precision or range are given as written.
//
// The decoder (typed to plain) answers DynamoDB's errors, in DynamoDB Local's words, for what
// DynamoDB refuses: a value with no type or with two, NULL false, an empty or duplicated set, a
// number that is not one or is beyond 38 digits or the range, an M or L nested deeper than
// DynamoDB's 32 levels (ValidationException); base64 that does not decode, and JSON of the wrong
// kind for a type (SerializationException).
//
// Both directions also give the item's size as DynamoDB counts it (for the 400 KB limit and the
// capacity units): each attribute's name in UTF-8 bytes plus its value's size: a string's UTF-8
// bytes, a binary's bytes, a number's store::dynamodb_size, 1 for BOOL and NULL, a set the sum
// of its members, an M or L 3 bytes plus, per element, 1 byte, its name (M) and its size.
//
// Thread safety: the free functions share nothing; an ItemEncoder is used by one thread at a time.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "aws/validate.h"

namespace millrace::aws {

// DynamoDB's limit on nesting: an M or L is at most this deep, a top-level attribute at 1.
inline constexpr int kMaxContainerDepth = 31;

// What a conversion gives: the DynamoDB size of what was converted, or DynamoDB's error (then
// `out` holds a part of the conversion, to be discarded).
struct Decoded {
  std::size_t size = 0;
  std::optional<ApiError> error;
};

// Appends the plain JSON object of `item`, a typed item ({"NAME": AttributeValue, ...}: an Item
// or a Key of the API), to `out`.
Decoded append_plain_item(std::string& out, simdjson::dom::element item);
// Appends the plain JSON of one AttributeValue to `out`.
Decoded append_plain_value(std::string& out, simdjson::dom::element value);

// The bytes of the plain value `json` when it is a binary ({"$B": base64}); nullopt otherwise.
std::optional<std::string> plain_binary(std::string_view json);

// Plain JSON items to typed ones. Holds a parser and a padded copy of the item.
class ItemEncoder {
 public:
  // Appends the typed item ({"NAME":{"S":…},…}) of `json`, a plain JSON object, to `out`.
  // Returns the item's DynamoDB size, or nullopt (and `out` as it was) when `json` is not a
  // JSON object.
  std::optional<std::size_t> append_typed_item(std::string& out, std::string_view json);
  // The same for one plain value (any JSON).
  std::optional<std::size_t> append_typed_value(std::string& out, std::string_view json);
  // The item's DynamoDB size alone.
  std::optional<std::size_t> item_size(std::string_view json);

 private:
  std::optional<std::size_t> run(std::string* out, std::string_view json, bool item);

  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace millrace::aws
