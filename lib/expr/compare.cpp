#include "expr/compare.h"

#include <charconv>
#include <cmath>

#include "store/decimal.h"

namespace millrace::expr {
namespace {

using Form = Number::Form;

template <class T>
int three_way(T x, T y) {
  return (x > y) - (x < y);
}

// Exact comparisons of an integer with a double: converting either to the other's type rounds
// (2^53 + 1 becomes 2^53; 2^64 - 1 becomes 2^64). The double's integer part is exact in the
// integer's type once the range is checked, and its fraction breaks a tie. JSON has no NaN.
int compare(std::int64_t i, double d) {
  if (d >= 0x1p63) return -1;
  if (d < -0x1p63) return 1;
  double whole = std::trunc(d);
  if (int c = three_way(i, static_cast<std::int64_t>(whole))) return c;
  return three_way(0.0, d - whole);
}
int compare(std::uint64_t u, double d) {
  if (d < 0) return 1;
  if (d >= 0x1p64) return -1;
  double whole = std::trunc(d);
  if (int c = three_way(u, static_cast<std::uint64_t>(whole))) return c;
  return three_way(0.0, d - whole);
}
int compare(std::int64_t i, std::uint64_t u) {
  return i < 0 ? -1 : three_way(static_cast<std::uint64_t>(i), u);
}

int compare_binary(const Number& a, const Number& b) {
  switch (a.form) {
    case Form::int64:
      if (b.form == Form::int64) return three_way(a.int64, b.int64);
      if (b.form == Form::uint64) return compare(a.int64, b.uint64);
      return compare(a.int64, b.float64);
    case Form::uint64:
      if (b.form == Form::uint64) return three_way(a.uint64, b.uint64);
      if (b.form == Form::int64) return -compare(b.int64, a.uint64);
      return compare(a.uint64, b.float64);
    default:
      if (b.form == Form::float64) return three_way(a.float64, b.float64);
      if (b.form == Form::int64) return -compare(b.int64, a.float64);
      return -compare(b.uint64, a.float64);
  }
}

// The exact decimal text of a number that is not text. A double is m × 2^e, whose decimal
// expansion ends: 767 significant digits hold every one (subnormals need the most).
struct ExactText {
  char buffer[800];
  std::string_view text;

  explicit ExactText(const Number& n) {
    std::to_chars_result r{};
    if (n.form == Form::int64) r = std::to_chars(buffer, buffer + sizeof buffer, n.int64);
    if (n.form == Form::uint64) r = std::to_chars(buffer, buffer + sizeof buffer, n.uint64);
    if (n.form == Form::float64)
      r = std::to_chars(buffer, buffer + sizeof buffer, n.float64, std::chars_format::scientific,
                        767);
    text = std::string_view(buffer, static_cast<std::size_t>(r.ptr - buffer));
  }
};

}  // namespace

int compare_numbers(const Number& a, const Number& b) {
  bool text_a = a.form == Form::text, text_b = b.form == Form::text;
  if (!text_a && !text_b) return compare_binary(a, b);
  if (text_a && text_b) return store::compare_number_texts(a.text, b.text);
  if (text_a) return store::compare_number_texts(a.text, ExactText(b).text);
  return store::compare_number_texts(ExactText(a).text, b.text);
}

std::optional<int> order(const Scalar& a, const Scalar& b) {
  if (a.type != b.type) return std::nullopt;
  switch (a.type) {
    case Type::number:
      return compare_numbers(a.number, b.number);
    case Type::string:
    case Type::binary: {
      int c = a.bytes.compare(b.bytes);  // char_traits<char>::compare: unsigned bytes
      return (c > 0) - (c < 0);
    }
    case Type::boolean:
      return three_way(a.boolean, b.boolean);
    default:
      return std::nullopt;
  }
}

bool equal_scalars(const Scalar& a, const Scalar& b) {
  if (a.type == Type::null && b.type == Type::null) return true;
  std::optional<int> c = order(a, b);
  return c && *c == 0;
}

}  // namespace millrace::expr
