#include "store/decimal.h"

#include <algorithm>
#include <cstdint>

namespace millrace::store {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Exponents are accumulated up to this bound: far beyond DynamoDB's range already, and far from
// overflowing a long when the digits' own offset (at most the text's length) is added.
constexpr long kExponentClamp = 1'000'000'000;
// Java's BigDecimal (DynamoDB's reader) takes exponents that fit an int32.
constexpr long kMaxWrittenExponent = INT32_MAX;

}  // namespace

std::optional<Decimal> parse_decimal(std::string_view text, NumberSyntax syntax) {
  const bool json = syntax == NumberSyntax::json;
  std::size_t i = 0;
  Decimal number;
  if (i < text.size() && (text[i] == '-' || (!json && text[i] == '+'))) number.negative = text[i++] == '-';
  // Significant digits, leading zeros dropped; exponent counts the integer digits kept.
  long exponent = 0;
  std::size_t int_start = i;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (!number.digits.empty() || text[i] != '0') number.digits.push_back(text[i]);
    if (!number.digits.empty()) ++exponent;
  }
  std::size_t int_digits = i - int_start;
  if (json && (int_digits == 0 || (text[int_start] == '0' && int_digits > 1))) return std::nullopt;
  std::size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i, ++frac_digits) {
      if (number.digits.empty() && text[i] == '0') {
        --exponent;  // 0.001 = 0.1 × 10^-2
      } else {
        number.digits.push_back(text[i]);
      }
    }
    if (json && frac_digits == 0) return std::nullopt;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    std::size_t exp_start = i;
    long written = 0;
    bool too_large = false;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      written = written * 10 + (text[i] - '0');
      if (written > kMaxWrittenExponent) {
        too_large = true;
        written = kMaxWrittenExponent;
      }
    }
    if (i == exp_start || (too_large && !json)) return std::nullopt;
    written = std::min(written, kExponentClamp);
    exponent += exp_negative ? -written : written;
  }
  if (i != text.size()) return std::nullopt;
  while (!number.digits.empty() && number.digits.back() == '0') number.digits.pop_back();
  if (number.digits.empty()) return Decimal{};
  number.exponent = exponent;
  return number;
}

NumberLimit check_limits(const Decimal& number) {
  if (number.zero()) return NumberLimit::ok;
  if (number.digits.size() > kMaxNumberDigits) return NumberLimit::precision;
  if (number.exponent > kMaxDecimalExponent) return NumberLimit::overflow;
  if (number.exponent < kMinDecimalExponent) return NumberLimit::underflow;
  return NumberLimit::ok;
}

void append_canonical(std::string& out, const Decimal& number) {
  if (number.zero()) {
    out.push_back('0');
    return;
  }
  if (number.negative) out.push_back('-');
  const std::string& d = number.digits;
  long n = static_cast<long>(d.size());
  if (number.exponent <= 0) {  // 0.000ddd
    out.append("0.");
    out.append(static_cast<std::size_t>(-number.exponent), '0');
    out.append(d);
  } else if (number.exponent >= n) {  // ddd000
    out.append(d);
    out.append(static_cast<std::size_t>(number.exponent - n), '0');
  } else {  // dd.d
    out.append(d, 0, static_cast<std::size_t>(number.exponent));
    out.push_back('.');
    out.append(d, static_cast<std::size_t>(number.exponent));
  }
}

std::size_t dynamodb_size(const Decimal& number) {
  if (number.zero()) return 1;
  // DynamoDB stores base-100 digits aligned on the decimal point: an odd exponent (of 0.d1…)
  // puts d1 in the low half of its pair.
  std::size_t aligned = number.digits.size() + (number.exponent % 2 != 0 ? 1 : 0);
  return 1 + (aligned + 1) / 2 + (number.negative ? 1 : 0);
}

}  // namespace millrace::store
