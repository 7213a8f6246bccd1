// The expressions kv-put sends to DynamoDB: its --if conditions (expr::Condition) as a
// ConditionExpression, --if-absent as attribute_not_exists on the key, and --merge, --add and
// --remove as an UpdateExpression, every name and value through ExpressionAttributeNames and
// ExpressionAttributeValues (so no attribute name is ever a reserved word or needs escaping).
//
// A condition is translated node by node into an expression that holds on exactly the items on
// which the node holds locally (expr/condition.h's semantics), so that and, or and not compose
// the same way on both backends:
//
//   f = V, V = f         #f = :v                  V a number, string or boolean
//   f != V, f <> V       #f <> :v                 (true for a missing f, as locally)
//   f < V, <=, >, >=     #f < :v                  V a number or a string
//   f = null, f is null  (attribute_not_exists(#f) OR attribute_type(#f, :NULL))
//   f != null, not null  (attribute_exists(#f) AND NOT attribute_type(#f, :NULL))
//   f in (V, ...)        (#f = :v0 OR #f = :v1 ...), not in: its negation
//   f                    #f = :true               (a field as a condition: JSON true)
//   V op V               a constant: (attribute_exists(#c) OR attribute_not_exists(#c)) or
//                        its negation
//   /a/b                 #a.#b                    a pointer into maps
//
// What cannot be said with the same semantics is refused with the reason (kv-put exits 69
// naming the backend): a comparison of two fields (null = null holds locally, and binary values
// and sets, which are JSON objects locally, compare by value on DynamoDB); a pointer step that
// is a number (locally an array index or a member name, whichever the item has; DynamoDB needs
// one or the other); booleans or null ordered (< false); a number DynamoDB cannot hold (beyond
// 38 digits, or outside 1E-130 to 9.99E+125).
//
// One difference remains and is documented (kv-put(1)): a number that is not an integer is
// compared as a double locally, digit for digit on DynamoDB; they agree for numbers of up to 15
// significant digits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/condition.h"

namespace millrace::aws {

// The ExpressionAttributeNames and ExpressionAttributeValues of one request, as its expressions
// are written: each name and value gets a placeholder (#n0, :v0...), a name once.
class ExpressionAttributes {
 public:
  // The placeholder of the attribute name `name`.
  std::string name(std::string_view name);
  // A placeholder for the typed value `typed` ({"S":"x"}, written as DynamoDB takes it).
  std::string value(std::string_view typed);

  bool empty() const { return names_.empty() && values_.empty(); }
  // Appends ,"ExpressionAttributeNames":{…},"ExpressionAttributeValues":{…} (those not empty).
  void append_members(std::string& out) const;

 private:
  std::vector<std::string> names_;  // in placeholder order
  std::string values_;              // ":v0":{…},":v1":{…}
  std::size_t value_count_ = 0;
};

// Appends to `out` the ConditionExpression of `condition`, its names and values added to
// `attributes`; returns why it cannot be said with the same semantics instead.
std::optional<std::string> append_condition_expression(std::string& out, const expr::Condition& condition,
                                                       ExpressionAttributes& attributes);

// What an UpdateItem does with the attributes of one line (table::apply_update's semantics):
// each attribute `set` or `add`ed by its JSON value, each of `remove` removed.
struct UpdateParts {
  struct Assignment {
    std::string_view name;
    std::string_view typed;  // the value, typed
    bool add = false;
  };
  std::vector<Assignment> assignments;
  std::vector<std::string> remove;
};
// Appends the UpdateExpression "SET #n0 = :v0, ... ADD #n1 :v1 ... REMOVE #n2, ..." of
// `parts` (nothing when there is nothing to do).
void append_update_expression(std::string& out, const UpdateParts& parts, ExpressionAttributes& attributes);

}  // namespace millrace::aws
