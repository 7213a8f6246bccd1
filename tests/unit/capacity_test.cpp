#include "table/capacity.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "aws/attribute_value.h"

using namespace millrace::table;

TEST_CASE("an item write costs a unit per KB of the larger item, at least one") {
  CHECK(write_units(0) == 1);
  CHECK(write_units(1024) == 1);
  CHECK(write_units(1025) == 2);
  CHECK(item_write_units(std::nullopt, 10) == 1);
  CHECK(item_write_units(3000, 10) == 3);
  CHECK(item_write_units(3000, std::nullopt) == 3);
  CHECK(item_write_units(std::nullopt, std::nullopt) == 0);
  CHECK(read_units(4097, true) == 2);
  CHECK(read_units(4097, false) == 1);
}

TEST_CASE("an item read costs a unit per 4 KB, a missing item's too; half eventually consistent, twice in a transaction") {
  CHECK(item_read_units(0, ItemRead::eventual) == 0.5);
  CHECK(item_read_units(0, ItemRead::consistent) == 1);
  CHECK(item_read_units(0, ItemRead::transactional) == 2);
  CHECK(item_read_units(4096, ItemRead::eventual) == 0.5);
  CHECK(item_read_units(4097, ItemRead::eventual) == 1);
  CHECK(item_read_units(4097, ItemRead::consistent) == 2);
  CHECK(item_read_units(8193, ItemRead::transactional) == 6);
}

TEST_CASE("an item's size is DynamoDB's: names and values") {
  // "id" + "k1", "n" + the number 12345 (3 bytes), "ok" + BOOL (1), "l" + a list of 2 numbers.
  CHECK(item_size(R"({"id":"k1"})") == 4);
  CHECK(item_size(R"({"id":"k1","pad":"xxx"})") == 4 + 6);
  CHECK(item_size(R"({"ok":true})") == 3);
}

namespace {

// A random JSON value of the kinds a plain item holds, written compactly.
std::string random_value(std::mt19937& rng, int depth) {
  switch (std::uniform_int_distribution<int>(0, depth > 2 ? 3 : 5)(rng)) {
    case 0: return std::to_string(std::uniform_int_distribution<int>(-99999, 99999)(rng));
    case 1: return std::string("\"") + std::string(std::uniform_int_distribution<int>(0, 40)(rng), 's') + "\"";
    case 2: return "true";
    case 3: return "null";
    case 4: {
      std::string out = "[";
      int n = std::uniform_int_distribution<int>(0, 30)(rng);
      for (int i = 0; i < n; ++i) out += (i ? "," : "") + random_value(rng, depth + 1);
      return out + "]";
    }
    default: {
      std::string out = "{";
      int n = std::uniform_int_distribution<int>(0, 8)(rng);
      for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + std::string(1, static_cast<char>('a' + i)) + "\":" + random_value(rng, depth + 1);
      return out + "}";
    }
  }
}

}  // namespace

TEST_CASE("an item's write units without measuring it are those of its measured size") {
  std::mt19937 rng(20261123);  // fixed seed
  CAPTURE(20261123);
  int measured = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string item = "{\"id\":\"k\"";
    int attributes = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int a = 0; a < attributes; ++a) item += ",\"a" + std::to_string(a) + "\":" + random_value(rng, 0);
    item += "}";
    CAPTURE(item);
    CHECK(item_write_units(item) == write_units(item_size(item)));
    measured += item.size() * 3 > 1024 ? 1 : 0;
  }
  CHECK(measured > 100);  // both paths were taken
  // The worst case of text against size: a long list of one-digit numbers.
  std::string list = "{\"l\":[";
  for (int i = 0; i < 110; ++i) list += i ? ",1" : "1";
  list += "]}";
  CHECK(item_write_units(list) == write_units(item_size(list)));
}
