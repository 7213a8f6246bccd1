#include "expr/document.h"

#include <doctest/doctest.h>

#include <string>

using millrace::expr::Document;
using millrace::expr::Type;

namespace {

Document parsed(std::string_view json) {
  Document d;
  REQUIRE(d.parse(json));
  return d;
}

std::string json_of(const Document& d, std::uint32_t node) {
  std::string out;
  d.append_json(node, out);
  return out;
}

}  // namespace

TEST_CASE("document: each JSON value has DynamoDB's type") {
  Document d =
      parsed(R"({"s":"x","n":1.50,"t":true,"z":null,"m":{"a":1},"l":[1,"a"],"b":{"$B":"AQI="},)"
             R"("ss":{"$SS":["a","b"]},"ns":{"$NS":[1,2.5]},"bs":{"$BS":["AQ==","Ag=="]}})");
  auto type = [&](std::string_view name) { return d.node(d.member(0, name)).type; };
  CHECK(type("s") == Type::string);
  CHECK(type("n") == Type::number);
  CHECK(d.node(d.member(0, "n")).text == "1.50");
  CHECK(type("t") == Type::boolean);
  CHECK(type("z") == Type::null);
  CHECK(type("m") == Type::map);
  CHECK(type("l") == Type::list);
  CHECK(type("b") == Type::binary);
  CHECK(d.node(d.member(0, "b")).text == std::string_view("\x01\x02", 2));
  CHECK(type("ss") == Type::string_set);
  CHECK(type("ns") == Type::number_set);
  CHECK(type("bs") == Type::binary_set);
  CHECK(d.count_children(d.member(0, "ss")) == 2);
  std::uint32_t bs = d.member(0, "bs");
  CHECK(d.node(d.first_child(bs)).text == "\x01");
  CHECK(d.member(0, "nope") == Document::kNone);
  CHECK(d.element(d.member(0, "l"), 1) == d.member(0, "l") + 2);
  CHECK(d.element(d.member(0, "l"), 2) == Document::kNone);
}

TEST_CASE("document: an object is a set or binary only with one member of that shape") {
  Document d = parsed(
      R"({"a":{"$B":"not base64!"},"b":{"$SS":["a",1]},"c":{"$NS":["1"]},"d":{"$B":"AQ==","x":1},)"
      R"("e":{"$BS":["AQ==","?"]},"f":{"$SS":"a"},"g":{"$X":[1]}})");
  for (std::string_view name : {"a", "b", "c", "d", "e", "f", "g"}) {
    CAPTURE(name);
    CHECK(d.node(d.member(0, name)).type == Type::map);
  }
}

TEST_CASE("document: values are written back as read, binary as base64") {
  std::string_view json =
      R"({"n":1.50e+3,"s":"é\"\n","b":{"$B":"AQI="},"bs":{"$BS":["AQ=="]},"ns":{"$NS":[1,2.5]},"l":[[],{}],"m":{"k":null}})";
  Document d = parsed(json);
  CHECK(json_of(d, 0) == json);
}

TEST_CASE("document: equality is DynamoDB's: numbers by value, sets and maps in any order") {
  Document a =
      parsed(R"([{"x":1,"y":[1,"a"]},{"$SS":["a","b"]},{"$NS":[1.0,2]},[1,2],{"$B":"AQI="},1e2])");
  Document b =
      parsed(R"([{"y":[1.00,"a"],"x":1},{"$SS":["b","a"]},{"$NS":[2,1]},[2,1],{"$B":"AQI="},100])");
  std::uint32_t i = 1, j = 1;
  bool expected[] = {true, true, true, false, true, true};
  for (bool same : expected) {
    CAPTURE(i);
    CHECK(equal(a, i, b, j) == same);
    i = a.node(i).end, j = b.node(j).end;
  }
  Document c = parsed(R"([{"x":1},{"x":1,"y":2},{"$SS":["a"]},"a"])");
  CHECK_FALSE(equal(c, 1, c, c.node(1).end));  // a member more
  CHECK_FALSE(
      equal(c, c.node(c.node(1).end).end, c, c.node(c.node(c.node(1).end).end).end));  // SS and S
}

TEST_CASE("document: what is not JSON is refused") {
  Document d;
  for (std::string_view bad :
       {"", "{", R"({"a":1} x)", R"({"a":01})", R"({"a":1.})", "[1,]", R"({"a":"\q"})"}) {
    CAPTURE(bad);
    CHECK_FALSE(d.parse(bad));
    CHECK(d.empty());
  }
  CHECK(d.parse(R"({"n":123456789012345678901234567890})"));  // beyond 64 bits: kept as text
  CHECK(d.node(1).text == "123456789012345678901234567890");
}
