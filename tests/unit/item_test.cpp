#include "table/item.h"

#include <doctest/doctest.h>

#include <string>

using namespace millrace::table;

namespace {

std::string update(std::optional<std::string_view> stored, std::string_view given, const UpdateSpec& spec) {
  ItemParser stored_parser, given_parser;
  const std::vector<Attribute>* old = stored ? stored_parser.split(*stored) : nullptr;
  const std::vector<Attribute>* update = given_parser.split(given);
  REQUIRE(update != nullptr);
  std::string out;
  auto problem = apply_update(old, *update, spec, out);
  REQUIRE_MESSAGE(!problem, *problem);
  return out;
}

}  // namespace

TEST_CASE("an item splits into its attributes, values as written") {
  ItemParser parser;
  const auto* attributes = parser.split(R"({"Name": "Shadow\"fax", "n": 1.50 ,"o":{"a":[1, 2]},"t":true,"z":null})");
  REQUIRE(attributes != nullptr);
  REQUIRE(attributes->size() == 5);
  CHECK((*attributes)[0].name == "Name");
  CHECK((*attributes)[0].value == R"("Shadow\"fax")");
  CHECK((*attributes)[0].string == "Shadow\"fax");
  CHECK((*attributes)[0].is_string());
  CHECK((*attributes)[1].value == "1.50");
  CHECK((*attributes)[1].is_number());
  CHECK((*attributes)[2].value == R"({"a":[1, 2]})");
  CHECK((*attributes)[3].value == "true");
  CHECK((*attributes)[4].value == "null");
  CHECK(find_attribute(*attributes, "t") == &(*attributes)[3]);
  CHECK(find_attribute(*attributes, "missing") == nullptr);
  CHECK(parser.split("[1,2]") == nullptr);
  CHECK(parser.split("\"text\"") == nullptr);
}

TEST_CASE("SET replaces given attributes in place and appends new ones") {
  CHECK(update(R"({"k":"a","x":1,"y":{"deep":true}})", R"({"k":"a","x":2,"z":"new"})", {}) ==
        R"({"k":"a","x":2,"y":{"deep":true},"z":"new"})");
  CHECK(update(std::nullopt, R"({"k":"a","x":2})", {}) == R"({"k":"a","x":2})");
}

TEST_CASE("ADD adds to stored numbers, from 0 when absent; integers exactly") {
  UpdateSpec add{{"n", "m"}, {}};
  CHECK(update(R"({"k":"a","n":41})", R"({"k":"a","n":1,"m":5})", add) == R"({"k":"a","n":42,"m":5})");
  CHECK(update(R"({"n":9007199254740993})", R"({"n":2})", add) == R"({"n":9007199254740995})");
  CHECK(update(R"({"n":1.25})", R"({"n":0.5})", add) == R"({"n":1.75})");
  CHECK(update(R"({"n":-3})", R"({"n":3})", add) == R"({"n":0})");
  // Past 64 bits the sum is a double.
  CHECK(update(R"({"n":9223372036854775807})", R"({"n":1})", add) == R"({"n":9.223372036854776e+18})");
}

TEST_CASE("ADD to or of a value that is not a number is refused") {
  ItemParser a, b;
  std::string out;
  UpdateSpec add{{"n"}, {}};
  CHECK(apply_update(a.split(R"({"n":"ten"})"), *b.split(R"({"n":1})"), add, out));
  CHECK(apply_update(a.split(R"({"n":1})"), *b.split(R"({"n":[1]})"), add, out));
}

TEST_CASE("REMOVE drops attributes, given or stored") {
  UpdateSpec remove{{}, {"x", "gone"}};
  CHECK(update(R"({"k":"a","x":1,"y":2})", R"({"k":"a","gone":3})", remove) == R"({"k":"a","y":2})");
  CHECK(update(R"({"x":1})", R"({})", remove) == R"({})");
}

TEST_CASE("names come back escaped as JSON wants them") {
  CHECK(update(R"({"a\"b":1})", R"({"c\u0041":2})", {}) == R"({"a\"b":1,"cA":2})");
}
