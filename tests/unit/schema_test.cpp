#include "table/schema.h"

#include <doctest/doctest.h>

#include <string>

using namespace millrace;
using namespace millrace::table;

namespace {

store::TableMeta table_of(store::KeyType partition, std::optional<store::KeyType> sort = std::nullopt) {
  store::TableMeta t;
  t.id = 7;
  t.name = "t";
  t.partition = {"pk", partition};
  if (sort) t.sort = store::KeyAttribute{"sk", *sort};
  t.ttl = "ttl";
  return t;
}

const std::vector<Attribute>& split(ItemParser& parser, std::string_view json) {
  const auto* attributes = parser.split(json);
  REQUIRE(attributes != nullptr);
  return *attributes;
}

}  // namespace

TEST_CASE("an item's key: its attributes encoded after the table's prefix, or what is wrong") {
  ItemParser parser;
  auto table = table_of(store::KeyType::string, store::KeyType::number);
  std::string key, want = store::item_key_prefix(7);
  store::append_string_key(want, "a");
  REQUIRE_FALSE(store::append_number_key(want, "10"));
  CHECK_FALSE(item_key(table, split(parser, R"({"pk":"a","sk":1e1,"x":0})"), key));
  CHECK(key == want);
  // The same key from arguments, converted to the attributes' types.
  std::string from_arguments;
  CHECK_FALSE(item_key(table, "a", std::string_view("10.0"), from_arguments));
  CHECK(from_arguments == want);

  CHECK(*item_key(table, split(parser, R"({"sk":1})"), key) == "no key attribute pk");
  CHECK(*item_key(table, split(parser, R"({"pk":1,"sk":1})"), key) == "key attribute pk is not a string");
  CHECK(*item_key(table, split(parser, R"({"pk":"a","sk":"1"})"), key) == "key attribute sk is not a number");
  CHECK(*item_key(table, split(parser, R"({"pk":"","sk":1})"), key) == "key attribute pk is an empty string");
  CHECK(item_key(table, "a", std::string_view("ten"), key));
  std::string long_value(store::kMaxKeyBytes, 'x');
  auto problem = item_key(table, split(parser, R"({"pk":")" + long_value + R"(","sk":1})"), key);
  REQUIRE(problem);
  CHECK(problem->find("at most 495") != std::string::npos);
}

TEST_CASE("Keys of a change record, as written in the item") {
  ItemParser parser;
  std::string out;
  append_keys_json(out, table_of(store::KeyType::string, store::KeyType::number),
                   split(parser, R"({"x":1,"sk":1.50,"pk":"a\"b"})"));
  CHECK(out == R"({"pk":"a\"b","sk":1.50})");
}

TEST_CASE("expiry: epoch seconds or milliseconds, or ISO 8601; anything else never expires") {
  ItemParser parser;
  auto table = table_of(store::KeyType::string);
  CHECK(expiry(table, split(parser, R"({"ttl":1795428000})")) == 1795428000000);
  CHECK(expiry(table, split(parser, R"({"ttl":1795428000.5})")) == 1795428000500);
  CHECK(expiry(table, split(parser, R"({"ttl":1795428000123})")) == 1795428000123);
  CHECK(expiry(table, split(parser, R"({"ttl":"2026-11-23T10:00:00Z"})")) == 1795428000000);
  CHECK(expiry(table, split(parser, R"({"ttl":0})")) == 1);  // long past: expired
  CHECK(expiry(table, split(parser, R"({"ttl":"soon"})")) == 0);
  CHECK(expiry(table, split(parser, R"({"ttl":true})")) == 0);
  CHECK(expiry(table, split(parser, R"({"other":1})")) == 0);
  table.ttl.reset();
  CHECK(expiry(table, split(parser, R"({"ttl":1795428000})")) == 0);
}

TEST_CASE("key attributes are top-level names") {
  CHECK(attribute_argument("Name", "-k") == "Name");
  CHECK(attribute_argument("/Name", "-k") == "Name");
  CHECK_THROWS(attribute_argument("/user/id", "-k"));
  CHECK_THROWS(attribute_argument("/", "-k"));
}

TEST_CASE("a binary key: {\"$B\": base64} in an item, base64 as an argument, encoded as its bytes") {
  ItemParser parser;
  auto table = table_of(store::KeyType::binary, store::KeyType::binary);
  std::string key, want = store::item_key_prefix(7);
  store::append_string_key(want, std::string("\0\1\2", 3));  // AAEC
  store::append_string_key(want, "\xFF");                    // /w==
  CHECK_FALSE(item_key(table, split(parser, R"({"pk":{"$B":"AAEC"},"sk":{"$B":"/w=="}})"), key));
  CHECK(key == want);
  std::string from_arguments;
  CHECK_FALSE(item_key(table, "AAEC", std::string_view("/w=="), from_arguments));
  CHECK(from_arguments == want);

  CHECK(item_key(table, split(parser, R"({"pk":"AAEC","sk":{"$B":"/w=="}})"), key)->find("not a binary") != std::string::npos);
  CHECK(item_key(table, split(parser, R"({"pk":{"$B":""},"sk":{"$B":"/w=="}})"), key)->find("empty binary") != std::string::npos);
  CHECK(item_key(table, "AAE", std::string_view("/w=="), key));  // not base64
}
