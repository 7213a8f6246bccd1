#include "store/item_key.h"

#include <fmt/format.h>

namespace millrace::store {
namespace {

constexpr char kNegative = 0x01, kZero = 0x02, kPositive = 0x03;
constexpr int kExponentBias = 0x8000;

}  // namespace

std::string_view type_name(KeyType type) {
  switch (type) {
    case KeyType::string: return "S";
    case KeyType::number: return "N";
    case KeyType::binary: return "B";
  }
  return "?";
}

std::optional<KeyType> key_type_named(std::string_view name) {
  for (KeyType type : {KeyType::string, KeyType::number, KeyType::binary})
    if (type_name(type) == name) return type;
  return std::nullopt;
}

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
  std::optional<Decimal> number = Decimal::parse(text);
  if (!number) return fmt::format("not a number: {}", text);
  switch (number->limit()) {
    case NumberLimit::ok: break;
    case NumberLimit::precision:
      return fmt::format("{}: more than {} significant digits (DynamoDB's precision)", text, kMaxNumberDigits);
    case NumberLimit::overflow:
    case NumberLimit::underflow:
      return fmt::format("{}: out of DynamoDB's range of numbers (1e-130 to 9.99e125)", text);
  }
  append_number_key(out, *number);
  return std::nullopt;
}

void append_number_key(std::string& out, const Decimal& number) {
  if (number.is_zero()) {
    out.push_back(kZero);
    return;
  }
  std::size_t start = out.size();
  out.push_back(kPositive);
  unsigned biased = static_cast<unsigned>(number.adjusted_exponent() + kExponentBias);
  out.push_back(static_cast<char>(biased >> 8));
  out.push_back(static_cast<char>(biased & 0xFF));
  for (char d : number.significant()) out.push_back(static_cast<char>(d - '0' + 1));
  out.push_back('\0');
  if (number.negative()) {
    out[start] = kNegative;
    for (std::size_t k = start + 1; k < out.size(); ++k) out[k] = static_cast<char>(~out[k]);
  }
}

}  // namespace millrace::store
