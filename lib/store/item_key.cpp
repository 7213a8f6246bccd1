#include "store/item_key.h"

#include <fmt/format.h>

namespace millrace::store {
namespace {

constexpr char kNegative = 0x01, kZero = 0x02, kPositive = 0x03;
constexpr int kExponentBias = 0x8000;
// 0.d1… × 10^e: DynamoDB's range 1e-130 ≤ |x| < 1e126 is e from -129 to 126.
constexpr int kMinExponent = -129, kMaxExponent = 126;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view type_name(KeyType type) { return type == KeyType::string ? "S" : "N"; }

void append_string_prefix(std::string& out, std::string_view bytes) {
  for (char c : bytes) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xFF');
  }
}

void append_string_key(std::string& out, std::string_view bytes) {
  append_string_prefix(out, bytes);
  out.push_back('\0');
  out.push_back('\x01');
}

std::optional<std::string> append_number_key(std::string& out, std::string_view text) {
  // Scan JSON's number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  std::size_t i = 0;
  bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  std::string digits;  // significant digits, leading zeros dropped
  long exponent = 0;   // value = 0.digits × 10^exponent, once digits has no leading zero
  std::size_t int_start = i;
  while (i < text.size() && is_digit(text[i])) {
    if (!digits.empty() || text[i] != '0') digits.push_back(text[i]);
    if (!digits.empty()) ++exponent;
    ++i;
  }
  bool int_ok = i > int_start && !(text[int_start] == '0' && i - int_start > 1);
  bool frac_ok = true;
  if (i < text.size() && text[i] == '.') {
    std::size_t frac_start = ++i;
    while (i < text.size() && is_digit(text[i])) {
      if (digits.empty() && text[i] == '0') {
        --exponent;  // 0.001 = 0.1 × 10^-2
      } else {
        digits.push_back(text[i]);
      }
      ++i;
    }
    frac_ok = i > frac_start;
  }
  bool exp_ok = true;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    std::size_t exp_start = i;
    long written = 0;
    while (i < text.size() && is_digit(text[i])) {
      if (written < 100'000) written = written * 10 + (text[i] - '0');  // far beyond the range already
      ++i;
    }
    exp_ok = i > exp_start;
    exponent += exp_negative ? -written : written;
  }
  if (!int_ok || !frac_ok || !exp_ok || i != text.size()) return fmt::format("not a number: {}", text);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) {
    out.push_back(kZero);
    return std::nullopt;
  }
  if (digits.size() > kMaxNumberDigits)
    return fmt::format("{}: more than {} significant digits (DynamoDB's precision)", text, kMaxNumberDigits);
  if (exponent < kMinExponent || exponent > kMaxExponent)
    return fmt::format("{}: out of DynamoDB's range of numbers (1e-130 to 9.99e125)", text);

  std::size_t start = out.size();
  out.push_back(kPositive);
  unsigned biased = static_cast<unsigned>(exponent + kExponentBias);
  out.push_back(static_cast<char>(biased >> 8));
  out.push_back(static_cast<char>(biased & 0xFF));
  for (char d : digits) out.push_back(static_cast<char>(d - '0' + 1));
  out.push_back('\0');
  if (negative) {
    out[start] = kNegative;
    for (std::size_t k = start + 1; k < out.size(); ++k) out[k] = static_cast<char>(~out[k]);
  }
  return std::nullopt;
}

}  // namespace millrace::store
