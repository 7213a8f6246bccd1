// Decimal numbers as DynamoDB keeps them: exact (never through a double), up to 38 significant
// digits, magnitudes from 1e-130 to below 1e126. One reading of a number's text serves the key
// encoding (item_key.h), the typed values of the DynamoDB API and their sizes
// (aws/attribute_value.h) and the arithmetic and comparisons of expressions (expr/), so that
// 1.50, 1.5 and 15e-1 are one number everywhere.
//
// A number is read as coefficient × 10^exponent, exactly as written: "1.50" is 150 × 10^-2 and
// "1e20" is 1 × 10^20 (Java's BigDecimal and Python's decimal read them so). Numbers compare by
// value and add and subtract without rounding; a sum's exponent is the smaller of the operands'
// (1.50 + 1 = 2.50), written in plain notation (BigDecimal.toPlainString), as DynamoDB computes
// SET a = a + :n or ADD. DynamoDB gives numbers back canonical: "2.50" as "2.5".
//
// Two syntaxes are read: JSON's (what kv-put stores) and DynamoDB's wider one for the text of a
// typed "N" (Java's BigDecimal: a leading '+', "5." and ".5" are numbers too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::store {

// DynamoDB's limits on numbers: 38 significant digits, magnitudes from 1e-130 to below 1e126.
inline constexpr int kMaxNumberDigits = 38;
// As 0.d1… × 10^e (Decimal::adjusted_exponent), DynamoDB's range is e from -129 to 126.
inline constexpr long kMinDecimalExponent = -129, kMaxDecimalExponent = 126;

enum class NumberSyntax {
  json,      // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  dynamodb,  // [+-]? ([0-9]+ (. [0-9]*)? | . [0-9]+) ([eE] [+-]? [0-9]+)?, the exponent an int32
};

enum class NumberLimit { ok, precision, overflow, underflow };
// DynamoDB's message for a number beyond a limit ("DynamoDB only supports precision up to 38
// digits", "Number overflow. ...", "Number underflow. ..."). REQUIRES: limit != ok.
std::string_view limit_message(NumberLimit limit);

class Decimal {
 public:
  // The number written `text`, or nullopt when it is not one in `syntax`. Exponents far beyond
  // DynamoDB's range are kept only as "far beyond" (bounded), never overflowed.
  static std::optional<Decimal> parse(std::string_view text, NumberSyntax syntax = NumberSyntax::json);

  bool is_zero() const { return digits_ == "0"; }
  bool negative() const { return negative_; }

  // Whether DynamoDB can hold the number; precision is checked first, as DynamoDB does.
  NumberLimit limit() const;

  // The number in plain notation, its scale kept: "-12.50", "100000000000000000000", "0.00".
  std::string plain() const;
  // Appends the number as DynamoDB gives it back: plain notation, no leading or trailing zeros,
  // no sign for zero ("1.50" → "1.5", "1e3" → "1000", "-0" → "0", ".5" → "0.5").
  // REQUIRES: limit() == ok (else the text could be very long).
  void append_canonical(std::string& out) const;

  // The significant digits, without leading or trailing zeros ("" for zero), and the exponent
  // e of 0.DIGITS × 10^e: the number's normal form, which the key encoding orders.
  std::string_view significant() const;
  std::int64_t adjusted_exponent() const { return exponent_ + static_cast<std::int64_t>(digits_.size()); }

  // The bytes DynamoDB counts for the number in an item's size: 1, plus one per pair of digits
  // aligned on the decimal point, plus 1 for a negative number; 1 for zero.
  std::size_t dynamodb_size() const;

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

}  // namespace millrace::store
