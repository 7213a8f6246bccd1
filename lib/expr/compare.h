// The comparison of values that both condition languages share: kv-put --if, kv-get --where
// and ks-window --where (expr::Condition), and DynamoDB's expressions (expr/dynamo.h).
//
// A Scalar is a value as a comparison sees it: its type, and its number, bytes or boolean. Both
// languages load their operands into Scalars and compare them here, so that a number, a string
// or a binary value is equal to, less or greater than another in exactly one way:
//   - numbers by value, exactly, whatever their form: an int64, a uint64, a double, or the
//     decimal text of a JSON number (DynamoDB's N, up to 38 digits and beyond: never through a
//     double). 3 = 3.0 = 3e0; 2^53 + 1 > 2^53 as a double; 0.1 (text) > 0.1 (the double just
//     below it) — every double is an exact decimal;
//   - strings by their bytes (UTF-8: so by code point), binary values by their bytes, both
//     unsigned; booleans false before true;
//   - values of different types never equal and never order.
// What a language does with that is its own: which types it lets an operator order, what a
// missing value is (Condition: null; DynamoDB: absent, equal to nothing), how maps and lists
// compare (Condition: not at all; DynamoDB: member by member, expr/document.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace millrace::expr {

// The types of values; the set types and binary exist in DynamoDB's items only.
enum class Type : std::uint8_t {
  missing,  // no value: the path leads nowhere
  null,
  boolean,
  number,
  string,
  binary,
  string_set,
  number_set,
  binary_set,
  list,
  map
};

// A number in one of the forms it is read in.
struct Number {
  enum class Form : std::uint8_t { int64, uint64, float64, text };
  Form form = Form::int64;
  std::int64_t int64 = 0;
  std::uint64_t uint64 = 0;
  double float64 = 0;
  std::string_view text;  // Form::text: a JSON number's text

  // Not designated initializers: GCC 12 warns of the members they leave out.
  static Number of_int64(std::int64_t v) {
    Number n;
    n.int64 = v;
    return n;
  }
  static Number of_uint64(std::uint64_t v) {
    Number n;
    n.form = Form::uint64, n.uint64 = v;
    return n;
  }
  static Number of_double(double v) {
    Number n;
    n.form = Form::float64, n.float64 = v;
    return n;
  }
  // `t`: a JSON number's text.
  static Number of_text(std::string_view t) {
    Number n;
    n.form = Form::text, n.text = t;
    return n;
  }
};

struct Scalar {
  Type type = Type::missing;
  bool boolean = false;
  Number number;
  std::string_view bytes;  // a string's (unescaped UTF-8) or a binary value's (decoded)
};

// -1, 0 or 1: a against b by value, exactly.
int compare_numbers(const Number& a, const Number& b);

// -1, 0 or 1 for two numbers, two strings, two binary values or two booleans; nullopt for
// values of different types, and for types that have no order (null, sets, lists, maps,
// missing).
std::optional<int> order(const Scalar& a, const Scalar& b);

// Equality of scalar values: order() says 0, or both are null. (Sets, lists and maps are the
// language's to compare: false here.)
bool equal_scalars(const Scalar& a, const Scalar& b);

}  // namespace millrace::expr
