#include "archive/path_value.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace millrace::archive;

TEST_CASE("plain values stay as they are") {
  CHECK(encode_path_value("Shadowfax") == "Shadowfax");
  CHECK(encode_path_value("a-b_c.d9") == "a-b_c.d9");
  CHECK(encode_path_value("...x") == "%2E..x");
}

TEST_CASE("separators, NUL, percent, tilde and non-ASCII bytes are percent-encoded") {
  CHECK(encode_path_value("a/b") == "a%2Fb");
  CHECK(encode_path_value(std::string("a\0b", 3)) == "a%00b");
  CHECK(encode_path_value("100%") == "100%25");
  CHECK(encode_path_value("~") == "%7E");
  CHECK(encode_path_value("Ivory Mane") == "Ivory%20Mane");
  CHECK(encode_path_value("\xC3\xA9") == "%C3%A9");
}

TEST_CASE("no value becomes ., .., a hidden name or an empty component") {
  CHECK(encode_path_value(".") == "%2E");
  CHECK(encode_path_value("..") == "%2E.");
  CHECK(encode_path_value("../") == "%2E.%2F");
  CHECK(encode_path_value(".hidden") == "%2Ehidden");
  CHECK(encode_path_value("") == "%");
}

TEST_CASE("long values are cut and end with a digest of the whole value") {
  std::string long_value(10000, 'a');
  std::string encoded = encode_path_value(long_value);
  CHECK(encoded.size() <= kMaxEncodedValue);
  CHECK(encoded.starts_with(std::string(kKeptEncodedBytes, 'a') + "~"));
  CHECK(encoded.size() == kKeptEncodedBytes + 1 + 32);
  std::string other = long_value;
  other.back() = 'b';
  CHECK(encode_path_value(other) != encoded);
  // A cut never splits a %XX.
  std::string slashes(10000, '/');
  std::string cut = encode_path_value(slashes);
  std::string kept = cut.substr(0, cut.find('~'));
  CHECK(kept.size() % 3 == 0);
  CHECK(kept.find_first_not_of("%2F") == std::string::npos);
}

TEST_CASE("encodings are never empty, hold no / or NUL, and tell values apart") {
  std::set<std::string> seen;
  const std::string values[] = {"", ".", "..", "/", "%", "%2F", "~", std::string(1, '\0'), "a", "A",
                                std::string(200, 'x'), std::string(201, 'x'), "a b", "a%20b"};
  for (const std::string& value : values) {
    std::string encoded = encode_path_value(value);
    CHECK_FALSE(encoded.empty());
    CHECK(encoded.find('/') == std::string::npos);
    CHECK(encoded.find('\0') == std::string::npos);
    CHECK_FALSE(encoded.starts_with('.'));
    CHECK(seen.insert(encoded).second);
  }
}
