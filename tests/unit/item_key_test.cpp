#include "store/item_key.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace millrace::store;
using namespace std::string_literals;

namespace {

std::string number(std::string_view text) {
  std::string out;
  auto problem = append_number_key(out, text);
  REQUIRE_MESSAGE(!problem, text);
  return out;
}

std::string string_key(std::string_view bytes) {
  std::string out;
  append_string_key(out, bytes);
  return out;
}

}  // namespace

TEST_CASE("numbers sort by value: negative, fractional, large, tiny") {
  // Ascending by value, worked out by hand; each a distinct value.
  const std::vector<std::string> ascending = {
      "-9.99e125", "-1e100", "-12345678901234567890123456789012345678", "-1000", "-999.5", "-10", "-2", "-1.5",
      "-1", "-0.5", "-0.25", "-1e-130", "0", "1e-130", "0.001", "0.0011", "0.25", "0.5", "1", "1.0001", "1.5",
      "2", "10", "99", "99.9", "100", "101", "1e20", "12345678901234567890123456789012345678", "9.99e125"};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i)
    CHECK_MESSAGE(number(ascending[i]) < number(ascending[i + 1]), ascending[i], " < ", ascending[i + 1]);
}

TEST_CASE("one value, one key: 1.5 = 1.50 = 15e-1 = 0.15E1, and -0 = 0") {
  CHECK(number("1.5") == number("1.50"));
  CHECK(number("1.5") == number("15e-1"));
  CHECK(number("1.5") == number("0.15E1"));
  CHECK(number("100") == number("1e2"));
  CHECK(number("100") == number("1.00e+2"));
  CHECK(number("-0") == number("0"));
  CHECK(number("0.0e5") == number("0"));
  CHECK(number("-2.50") == number("-25e-1"));
}

TEST_CASE("numbers beyond DynamoDB's precision or range, and non-numbers, are refused") {
  std::string out;
  CHECK(append_number_key(out, "123456789012345678901234567890123456789"));  // 39 digits
  CHECK(append_number_key(out, "1e126"));
  CHECK(append_number_key(out, "1e-131"));
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10", "1 ", "NaN", "1,5"})
    CHECK_MESSAGE(append_number_key(out, bad), bad);
  CHECK(out.empty());  // nothing appended for what was refused
  CHECK_FALSE(append_number_key(out, "12345678901234567890123456789012345678000"));  // 38 significant
}

TEST_CASE("strings sort by bytes, zero bytes included, and each key delimits itself") {

  const std::vector<std::string> ascending = {"A"s, "Z"s, "a"s, "a\0"s, "a\0\0"s, "a\0b"s, "a\x01"s, "ab"s, "b"s,
                                              "\xC3\xA9"s, "\xFF"s};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i)
    CHECK_MESSAGE(string_key(ascending[i]) < string_key(ascending[i + 1]), i);
  CHECK(string_key("a\0b"s).size() == 3 + 1 + 2);  // the zero byte escaped, then the terminator
}

TEST_CASE("composite keys sort by partition key, then sort key") {
  auto key = [](std::string_view partition, std::string_view sort) {
    std::string out;
    append_string_key(out, partition);
    REQUIRE_FALSE(append_number_key(out, sort));
    return out;
  };
  // "a" with any sort key comes before "ab": the partition key's terminator sorts first.
  CHECK(key("a", "9e125") < key("ab", "-9e125"));
  CHECK(key("a", "-5") < key("a", "3"));
  CHECK(key("a", "3") < key("a", "20"));
  // A query's prefix (the partition key's encoding) starts the keys of that partition only.
  std::string prefix;
  append_string_key(prefix, "a");
  CHECK(key("a", "1").starts_with(prefix));
  CHECK_FALSE(key("ab", "1").starts_with(prefix));
  CHECK_FALSE(key("a\0"s, "1").starts_with(prefix));
}

TEST_CASE("begins_with: a string's prefix starts the keys of the strings that begin with it") {
  std::string prefix;
  append_string_prefix(prefix, "2024-03-01T12");
  CHECK(string_key("2024-03-01T12:00:00Z").starts_with(prefix));
  CHECK(string_key("2024-03-01T12").starts_with(prefix));
  CHECK_FALSE(string_key("2024-03-01T13:00:00Z").starts_with(prefix));
  CHECK_FALSE(string_key("2024-03-01T1").starts_with(prefix));
}

TEST_CASE("binary keys sort as unsigned bytes, as DynamoDB's B keys; the types have their names") {
  // The encoding of a binary is that of a string of its bytes: 0x00 < 0x01 < 0x7F < 0x80 < 0xFF.
  const std::vector<std::string> ascending = {""s, "\0"s, "\0\0"s, "\0\1"s, "\1"s, "\x7F"s, "\x80"s, "\xFF"s, "\xFF\0"s};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) CHECK(string_key(ascending[i]) < string_key(ascending[i + 1]));
  CHECK(type_name(KeyType::binary) == "B");
  CHECK(key_type_named("B") == KeyType::binary);
  CHECK(key_type_named("S") == KeyType::string);
  CHECK(key_type_named("N") == KeyType::number);
  CHECK_FALSE(key_type_named("SS"));
}
