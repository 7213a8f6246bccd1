// The item key codec (store/item_key.h): the table's key layout, from key values in the data.
//
// Input: up to four lines, p1, s1, p2, s2: two (partition key, sort key) pairs. Each text is
// encoded as a string and, when it is one, as a number.
//
// Checks, with a decoder written here from the layout in the header: a string key decodes to
// its bytes; a number key is canonical (no leading or trailing zero digit, within DynamoDB's
// digits and range), decodes to the value strtod reads from the text, and encodes again to
// itself from its decoding; a refused number is not JSON's grammar, or has more than 38
// significant digits (counted here), or is out of range. Keys sort as their values do: strings
// by bytes, numbers by value, (string, string) and (string, number) pairs by partition key, then
// sort key; a string's prefix encoding starts exactly the keys of the strings it begins.
#include <cmath>
#include <compare>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz.h"
#include "store/item_key.h"

using namespace millrace;
using fuzz::require;

namespace {

std::string string_key(std::string_view bytes) {
  std::string out;
  store::append_string_key(out, bytes);
  return out;
}

// The bytes of the string key at the front of `key`, which is advanced past it.
std::optional<std::string> decode_string(std::string_view& key) {
  std::string out;
  while (!key.empty()) {
    char c = key[0];
    key.remove_prefix(1);
    if (c != '\0') {
      out.push_back(c);
      continue;
    }
    if (key.empty()) return std::nullopt;
    char escape = key[0];
    key.remove_prefix(1);
    if (escape == '\x01') return out;
    if (escape != '\xFF') return std::nullopt;
    out.push_back('\0');
  }
  return std::nullopt;
}

// A number key's value, 0.digits × 10^exponent, as text strtod reads; nullopt when the key is
// not one number key, whole and canonical.
std::optional<std::string> decode_number(std::string_view key) {
  if (key == std::string_view("\x02", 1)) return "0";
  if (key.size() < 5 || (key[0] != '\x01' && key[0] != '\x03')) return std::nullopt;
  bool negative = key[0] == '\x01';
  std::string body(key.substr(1));
  if (negative)
    for (char& c : body) c = static_cast<char>(~c);
  int exponent = static_cast<unsigned char>(body[0]) * 256 + static_cast<unsigned char>(body[1]) - 0x8000;
  if (exponent < -129 || exponent > 126 || body.back() != '\0') return std::nullopt;
  std::string digits;
  for (std::size_t i = 2; i + 1 < body.size(); ++i) {
    auto d = static_cast<unsigned char>(body[i]);
    if (d < 1 || d > 10) return std::nullopt;
    digits.push_back(static_cast<char>('0' + d - 1));
  }
  if (digits.size() > 38 || digits.front() == '0' || digits.back() == '0') return std::nullopt;
  return (negative ? "-0." : "0.") + digits + "e" + std::to_string(exponent);
}

bool json_number(std::string_view t) {
  std::size_t i = t.starts_with('-') ? 1 : 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - start;
  };
  std::size_t whole = digits();
  if (whole == 0 || (whole > 1 && t[i - whole] == '0')) return false;
  if (i < t.size() && t[i] == '.' && (++i, digits() == 0)) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

// The significant digits of a JSON number: its mantissa's, without leading or trailing zeros.
std::size_t significant_digits(std::string_view t) {
  std::string digits;
  for (char c : t.substr(0, t.find_first_of("eE")))
    if (c >= '0' && c <= '9') digits.push_back(c);
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  return digits.find_last_not_of('0') - first + 1;
}

double value_of(std::string_view text) { return std::strtod(std::string(text).c_str(), nullptr); }

// The number key of `text`, or nullopt when it is refused (for a reason that must hold).
std::optional<std::string> number_key(std::string_view text) {
  std::string out;
  std::optional<std::string> problem = store::append_number_key(out, text);
  if (problem) {
    require(out.empty(), "a refused number appends something");
    if (!json_number(text)) {
      require(problem->starts_with("not a number"), "a text outside JSON's grammar is refused for another reason");
    } else if (significant_digits(text) > store::kMaxNumberDigits) {
      require(problem->find("significant digits") != std::string::npos, "too many digits are refused for another reason");
    } else {
      double magnitude = std::fabs(value_of(text));
      require(problem->find("range") != std::string::npos && (magnitude >= 9.9e125 || magnitude <= 1.01e-130),
              "a number within DynamoDB's digits and range is refused");
    }
    return std::nullopt;
  }
  require(json_number(text) && significant_digits(text) <= store::kMaxNumberDigits, "a number outside the limits is taken");
  require(out.size() <= store::kMaxNumberKeyBytes, "a number key is longer than its limit");
  std::optional<std::string> decoded = decode_number(out);
  require(decoded.has_value(), "a number key does not decode");
  require(value_of(*decoded) == value_of(text), "a number key decodes to another value");
  std::string again;
  require(!store::append_number_key(again, *decoded) && again == out, "a number key's decoding encodes to another key");
  return out;
}

std::strong_ordering compare(std::string_view a, std::string_view b) { return a.compare(b) <=> 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  lines.resize(4);
  std::string_view p1 = lines[0], s1 = lines[1], p2 = lines[2], s2 = lines[3];

  std::string keys[4];
  std::optional<std::string> numbers[4];
  for (std::size_t i = 0; i < 4; ++i) {
    keys[i] = string_key(lines[i]);
    std::string_view rest = keys[i];
    require(decode_string(rest) == std::string(lines[i]) && rest.empty(), "a string key does not decode to its bytes");
    numbers[i] = number_key(lines[i]);
  }
  require(compare(keys[0], keys[2]) == compare(p1, p2), "string keys sort otherwise than their bytes");
  require(compare(keys[0] + keys[1], keys[2] + keys[3]) == (std::pair(p1, s1) <=> std::pair(p2, s2)),
          "(string, string) keys sort otherwise than their pairs");

  std::string prefix;
  store::append_string_prefix(prefix, p1);
  require(std::string_view(keys[2]).starts_with(prefix) == p2.starts_with(p1), "a string prefix starts other keys");

  if (numbers[1] && numbers[3]) {
    double a = value_of(s1), b = value_of(s2);
    // Doubles round, but never reorder: a < b as doubles only when a < b exactly.
    std::string x = keys[0] + *numbers[1], y = keys[2] + *numbers[3];
    if (p1 != p2) {
      require(compare(x, y) == compare(p1, p2), "(string, number) keys sort otherwise than their partition keys");
    } else {
      if (a < b) require(x < y, "number keys sort otherwise than their values");
      if (a > b) require(x > y, "number keys sort otherwise than their values");
      if (x == y) require(a == b, "different numbers share a key");
    }
  }
  return 0;
}
