// Exact decimal numbers: DynamoDB's N, as the plain JSON items keep it (the number's text).
//
// A JSON number's text is read as coefficient × 10^exponent, exactly as written: "1.50" is 150
// × 10^-2 and "1e20" is 1 × 10^20 (Java's BigDecimal and Python's decimal read them so). Numbers
// compare by value (1.5 = 1.50 = 15e-1) and add and subtract without rounding; the result's
// exponent is the smaller of the operands' (1.50 + 1 = 2.50), and it is written in plain
// notation (BigDecimal.toPlainString, Python's format(d, "f")), as DynamoDB writes the result
// of SET a = a + :n or ADD.
//
// DynamoDB's limits are checked apart (dynamodb_problem): 38 significant digits, magnitudes
// from 1e-130 to below 1e126. Arithmetic on numbers that hold them is cheap; arithmetic on
// numbers far outside them (1e999999 + 1) is refused, as its plain text would not fit memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::expr {

class Decimal {
 public:
  // The number written `text` in JSON's grammar; nullopt when it is not one.
  static std::optional<Decimal> parse(std::string_view text);

  bool is_zero() const { return digits_ == "0"; }
  bool negative() const { return negative_; }

  // The number in plain notation: "-12.50", "100000000000000000000", "0.00".
  std::string plain() const;

  // DynamoDB's message when the number is beyond what it stores, else nullopt:
  // "DynamoDB only supports precision up to 38 digits",
  // "Number overflow. Attempting to store a number with magnitude larger than supported range",
  // "Number underflow. Attempting to store a number with magnitude smaller than supported range".
  std::optional<std::string> dynamodb_problem() const;

  // The exact sum and difference. nullopt when an operand's magnitude is beyond 10^±100000,
  // where the exact result would take more than that many digits.
  static std::optional<Decimal> add(const Decimal& a, const Decimal& b);
  static std::optional<Decimal> subtract(const Decimal& a, const Decimal& b);

  // -1, 0 or 1 as a is less than, equal to or greater than b, by value.
  static int compare(const Decimal& a, const Decimal& b);

 private:
  bool negative_ = false;     // never for zero
  std::string digits_ = "0";  // the coefficient, without leading zeros ("0" for zero)
  std::int64_t exponent_ = 0;
};

// Whether `text` is a number in JSON's grammar.
bool is_json_number(std::string_view text);

// The order of the JSON numbers written `a` and `b`, by value, exactly and without allocating:
// -1, 0 or 1. Exponents are read up to ±10^15; beyond, numbers compare as if at that bound.
// REQUIRES: both are JSON numbers.
int compare_number_texts(std::string_view a, std::string_view b);

}  // namespace millrace::expr
