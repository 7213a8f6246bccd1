// Items as DynamoDB's typed values: the plain JSON that millrace's tables hold, read so that
// DynamoDB's expressions can walk and compare it.
//
// The mapping (shared with gw-serve's DynamoDB API, which converts typed values to it):
//   S → a JSON string          N → a JSON number, its text kept exactly (store/decimal.h)
//   BOOL → true, false         NULL → null
//   M → an object              L → an array
//   B → {"$B":"<base64>"}      SS → {"$SS":["a","b"]}   NS → {"$NS":[1,2.5]}
//   BS → {"$BS":["<base64>",...]}
// An object of one member "$B", "$SS", "$NS" or "$BS" whose value has that shape (a base64
// string; an array of strings, of numbers, of base64 strings) is that type; any other object is
// a map. A binary value is its decoded bytes.
//
// A Document is a parsed JSON text: its nodes in document order, each with its type, its member
// name (in a map) and its subtree's extent. One per thread; its views are valid until the next
// parse().
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expr/compare.h"

namespace millrace::expr {

class Document {
 public:
  struct Node {
    Type type = Type::null;
    std::uint32_t end = 0;  // the index after this node's subtree
    std::string_view key;   // the member name, for a member of a map
    // A number's text; a string's unescaped bytes; a binary value's decoded bytes.
    std::string_view text;
    bool boolean = false;
  };
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  // Reads `json`, a copy of which the document keeps. False when it is not valid JSON (or is
  // nested deeper than simdjson's limit); the document is then empty.
  bool parse(std::string_view json);

  bool empty() const { return nodes_.empty(); }
  // The root is node 0.
  const Node& node(std::uint32_t i) const { return nodes_[i]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }

  // The first child of a map, list or set (its members, elements, or set elements in order);
  // the next one is node(child).end; the last is followed by node(i).end.
  std::uint32_t first_child(std::uint32_t i) const;
  std::uint32_t count_children(std::uint32_t i) const;
  // The member `name` of map `i`, or kNone (also when `i` is not a map).
  std::uint32_t member(std::uint32_t i, std::string_view name) const;
  // The element `index` of list `i`, or kNone (also when `i` is not a list).
  std::uint32_t element(std::uint32_t i, std::uint64_t index) const;

  // The node as a comparison operand.
  Scalar scalar(std::uint32_t i) const;

  // Appends the JSON text of node `i`'s subtree (strings with JSON's minimal escapes, numbers as
  // written, binary values as base64).
  void append_json(std::uint32_t i, std::string& out) const;

 private:
  bool read(simdjson::ondemand::value value, std::string_view key, int depth);
  void classify_object(std::uint32_t i);

  simdjson::ondemand::parser parser_;
  std::string text_;  // the JSON, then simdjson's padding (its capacity reused from parse to parse)
  std::vector<Node> nodes_;
  std::string decoded_;  // the bytes of binary values
  std::vector<std::pair<std::uint32_t, std::pair<std::size_t, std::size_t>>>
      binaries_;  // node, offset, size
};

// Whether two nodes hold the same value, as DynamoDB's = says: the same type and value; numbers
// by value (1 = 1.0); sets with the same elements in any order; maps with the same members, each
// equal; lists with equal elements in order.
bool equal(const Document& a, std::uint32_t i, const Document& b, std::uint32_t j);

// DynamoDB's name of a type: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view type_name(Type type);

}  // namespace millrace::expr
