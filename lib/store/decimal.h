// Decimal numbers as DynamoDB keeps them: up to 38 significant digits, magnitudes from 1e-130 to
// below 1e126, exact (never through a double). One reading of a number's text serves the key
// encoding (item_key.h), the typed values of the DynamoDB API (aws/attribute_value.h) and their
// sizes, so that 1.50, 1.5 and 15e-1 are one number everywhere.
//
// Two syntaxes are read: JSON's (what kv-put stores) and DynamoDB's wider one for the text of a
// typed "N" (Java's BigDecimal: a leading '+', "5." and ".5" are numbers too).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::store {

// DynamoDB's limits on numbers: 38 significant digits, magnitudes from 1e-130 to below 1e126.
inline constexpr int kMaxNumberDigits = 38;
// 0.d1… × 10^e: DynamoDB's range 1e-130 ≤ |x| < 1e126 is e from -129 to 126.
inline constexpr long kMinDecimalExponent = -129, kMaxDecimalExponent = 126;

struct Decimal {
  bool negative = false;  // never set for zero
  std::string digits;     // the significant digits, without leading or trailing zeros; empty for 0
  long exponent = 0;      // the value is 0.DIGITS × 10^exponent

  bool zero() const { return digits.empty(); }
};

enum class NumberSyntax {
  json,      // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  dynamodb,  // [+-]? ([0-9]+ (. [0-9]*)? | . [0-9]+) ([eE] [+-]? [0-9]+)?, the exponent an int32
};

// The number written `text`, or nullopt when it is not one in `syntax`. Exponents far beyond
// DynamoDB's range are kept only as "far beyond" (clamped), never overflowed.
std::optional<Decimal> parse_decimal(std::string_view text, NumberSyntax syntax);

enum class NumberLimit { ok, precision, overflow, underflow };
// Whether DynamoDB can hold `number`; precision is checked first, as DynamoDB does.
NumberLimit check_limits(const Decimal& number);

// Appends the number as DynamoDB gives it back: plain notation without exponent, no leading or
// trailing zeros, no sign for zero ("1.50" → "1.5", "1e3" → "1000", "-0" → "0", ".5" → "0.5").
// REQUIRES: check_limits(number) == ok (else the text could be very long).
void append_canonical(std::string& out, const Decimal& number);

// The bytes DynamoDB counts for the number in an item's size: 1, plus one per pair of digits
// aligned on the decimal point, plus 1 for a negative number; 1 for zero.
std::size_t dynamodb_size(const Decimal& number);

}  // namespace millrace::store
