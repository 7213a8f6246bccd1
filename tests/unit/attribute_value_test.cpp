#include "aws/attribute_value.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

using namespace millrace;

namespace {

// The plain JSON of a typed item, or "__type: message".
std::string plain(const std::string& typed) {
  simdjson::dom::parser parser;
  std::string out;
  aws::Decoded decoded = aws::append_plain_item(out, parser.parse(typed).value());
  if (decoded.error) return decoded.error->type + ": " + decoded.error->message;
  return out;
}

std::string plain_value(const std::string& typed) {
  simdjson::dom::parser parser;
  std::string out;
  aws::Decoded decoded = aws::append_plain_value(out, parser.parse(typed).value());
  if (decoded.error) return decoded.error->type + ": " + decoded.error->message;
  return out;
}

std::size_t typed_size(const std::string& typed_value) {
  simdjson::dom::parser parser;
  std::string out;
  aws::Decoded decoded = aws::append_plain_value(out, parser.parse(typed_value).value());
  REQUIRE_MESSAGE(!decoded.error, typed_value);
  return decoded.size;
}

std::string typed(std::string_view plain_item) {
  aws::ItemEncoder encoder;
  std::string out;
  if (!encoder.append_typed_item(out, plain_item)) return "not an object";
  return out;
}

std::string typed_value(std::string_view plain_json) {
  aws::ItemEncoder encoder;
  std::string out;
  REQUIRE(encoder.append_typed_value(out, plain_json));
  return out;
}

const std::string kInvalid = "ValidationException: One or more parameter values were invalid: ";

}  // namespace

TEST_CASE("typed values become the plain JSON kv-put writes: scalars, maps, lists") {
  CHECK(plain(R"({"Name":{"S":"Shadowfax"},"Magic":{"N":"150"},"Fast":{"BOOL":true},"Gone":{"NULL":true}})") ==
        R"({"Name":"Shadowfax","Magic":150,"Fast":true,"Gone":null})");
  CHECK(plain(R"({"a":{"M":{"b":{"L":[{"N":"1"},{"S":"x"},{"M":{}}]}}}})") == R"({"a":{"b":[1,"x",{}]}})");
  CHECK(plain(R"({"quote":{"S":"say \"hi\"\n"}})") == R"({"quote":"say \"hi\"\n"})");
  CHECK(plain("{}") == "{}");
}

TEST_CASE("numbers are stored as DynamoDB gives them back, digit for digit") {
  CHECK(plain(R"({"n":{"N":"1.50"}})") == R"({"n":1.5})");
  CHECK(plain(R"({"n":{"N":"-0"}})") == R"({"n":0})");
  CHECK(plain(R"({"n":{"N":".5"}})") == R"({"n":0.5})");
  // 38 digits: a double would keep 17.
  CHECK(plain(R"({"n":{"N":"12345678901234567890123456789012345678"}})") ==
        R"({"n":12345678901234567890123456789012345678})");
}

TEST_CASE("binaries and sets become one-member objects: $B, $SS, $NS, $BS") {
  CHECK(plain(R"({"b":{"B":"AAEC"}})") == R"({"b":{"$B":"AAEC"}})");
  CHECK(plain(R"({"s":{"SS":["b","a"]}})") == R"({"s":{"$SS":["b","a"]}})");
  CHECK(plain(R"({"n":{"NS":["2.50","1"]}})") == R"({"n":{"$NS":[2.5,1]}})");
  CHECK(plain(R"({"x":{"BS":["AQ==","AA=="]}})") == R"({"x":{"$BS":["AQ==","AA=="]}})");
  CHECK(plain(R"({"e":{"B":""}})") == R"({"e":{"$B":""}})");
}

TEST_CASE("DynamoDB's errors for typed values it refuses, in DynamoDB Local's words") {
  // Each text as DynamoDB Local 3.3.1 answers a PutItem with the value.
  CHECK(plain_value("{}") ==
        "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  CHECK(plain_value(R"({"X":"1"})") ==
        "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  CHECK(plain_value(R"({"S":null})") ==
        "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  CHECK(plain_value(R"({"S":"a","N":"1"})") ==
        "ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
        "supported datatypes");
  CHECK(plain_value(R"({"S":"a","X":1})") == R"("a")");  // members DynamoDB does not know are ignored
  CHECK(plain_value(R"({"NULL":false})") == kInvalid + "Null attribute value types must have the value of true");
  CHECK(plain_value(R"({"SS":[]})") == kInvalid + "An string set  may not be empty");
  CHECK(plain_value(R"({"NS":[]})") == kInvalid + "An number set  may not be empty");
  CHECK(plain_value(R"({"BS":[]})") == kInvalid + "Binary sets should not be empty");
  CHECK(plain_value(R"({"SS":["b","a","b"]})") == kInvalid + "Input collection [b, a, b] contains duplicates");
  CHECK(plain_value(R"({"NS":["1","1.0"]})") == "ValidationException: Input collection contains duplicates");
  CHECK(plain_value(R"({"BS":["AQ==","AA==","AQ=="]})") == kInvalid + "Input collection of type BS contains duplicates.");
  CHECK(plain_value(R"({"N":"abc"})") == "ValidationException: A value provided cannot be converted into a number");
  CHECK(plain_value(R"({"NS":["1","x"]})") == "ValidationException: A value provided cannot be converted into a number");
  CHECK(plain_value(R"({"N":"123456789012345678901234567890123456789"})") ==
        "ValidationException: DynamoDB only supports precision up to 38 digits");
  CHECK(plain_value(R"({"N":"1e126"})") ==
        "ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range");
  CHECK(plain_value(R"({"N":"1e-131"})") ==
        "ValidationException: Number underflow. Attempting to store a number with magnitude smaller than supported range");
  CHECK(plain_value(R"({"L":[{}]})") ==
        "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  CHECK(plain_value(R"({"M":{"a":{"SS":[]}}})") == kInvalid + "An string set  may not be empty");
  // Base64 that does not decode: a SerializationException, as DynamoDB's JSON reader answers.
  CHECK(plain_value(R"({"B":"AA="})") ==
        "SerializationException: Base64 encoded length is expected a multiple of 4 bytes but found: 3");
  CHECK(plain_value(R"({"B":"!!!!"})").starts_with("SerializationException: "));
  CHECK(plain_value(R"({"S":1})").starts_with("SerializationException: "));
  CHECK(plain(R"({"a":{"S":"x"},"a":{"S":"y"}})").starts_with("SerializationException: "));
}

TEST_CASE("nesting: an M or L is at most 31 deep below the top-level attribute, as DynamoDB Local allows") {
  auto nest = [](int levels, const std::string& inner) {
    std::string value = inner;
    for (int i = 0; i < levels; ++i) value = R"({"M":{"a":)" + value + "}}";
    return value;
  };
  const std::string too_deep =
      "ValidationException: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
      "beyond supported limit";
  // DynamoDB Local: 31 maps around a string are taken, 32 are not; 30 around an empty map too, 31 not.
  CHECK(plain_value(nest(31, R"({"S":"x"})")).starts_with("{"));
  CHECK(plain_value(nest(32, R"({"S":"x"})")) == too_deep);
  CHECK(plain_value(nest(30, R"({"L":[]})")).starts_with("{"));
  CHECK(plain_value(nest(31, R"({"L":[]})")) == too_deep);
  CHECK(plain_value(nest(31, R"({"SS":["a"]})")).starts_with("{"));  // a set is not a level
}

TEST_CASE("sizes as DynamoDB counts them") {
  // Each measured on DynamoDB Local 3.3.1 by the item size at which a put costs a second write unit.
  CHECK(typed_size(R"({"S":"abc"})") == 3);
  CHECK(typed_size(R"({"S":"é"})") == 2);  // UTF-8 bytes
  CHECK(typed_size(R"({"N":"-1.5"})") == 4);
  CHECK(typed_size(R"({"B":"AAEC"})") == 3);
  CHECK(typed_size(R"({"BOOL":true})") == 1);
  CHECK(typed_size(R"({"NULL":true})") == 1);
  CHECK(typed_size(R"({"L":[]})") == 3);
  CHECK(typed_size(R"({"L":[{"S":"ab"}]})") == 6);
  CHECK(typed_size(R"({"M":{}})") == 3);
  CHECK(typed_size(R"({"M":{"ab":{"S":"cd"}}})") == 8);
  CHECK(typed_size(R"({"SS":["a","bc"]})") == 3);
  CHECK(typed_size(R"({"NS":["1","22"]})") == 4);
  CHECK(typed_size(R"({"BS":["AA==","AAA="]})") == 3);
  CHECK(typed_size(R"({"L":[{"N":"1"},{"NULL":true}]})") == 8);
  // An item: each name's bytes plus its value's.
  simdjson::dom::parser parser;
  std::string out;
  CHECK(aws::append_plain_item(out, parser.parse(std::string(R"({"k":{"S":"a"},"vé":{"N":"12"}})")).value()).size == 1 + 1 + 3 + 2);
}

TEST_CASE("plain items become typed ones, and back, exactly") {
  CHECK(typed(R"({"Name":"Shadowfax","Magic":150,"Fast":true,"Gone":null,"Pos":[1,"x"],"Map":{"a":{}}})") ==
        R"({"Name":{"S":"Shadowfax"},"Magic":{"N":"150"},"Fast":{"BOOL":true},"Gone":{"NULL":true},)"
        R"("Pos":{"L":[{"N":"1"},{"S":"x"}]},"Map":{"M":{"a":{"M":{}}}}})");
  CHECK(typed(R"({"b":{"$B":"AAEC"},"s":{"$SS":["b","a"]},"n":{"$NS":[2.50,1]},"x":{"$BS":["AQ=="]}})") ==
        R"({"b":{"B":"AAEC"},"s":{"SS":["b","a"]},"n":{"NS":["2.5","1"]},"x":{"BS":["AQ=="]}})");
  CHECK(typed("[1]") == "not an object");
  // kv-put's numbers as DynamoDB would give them; beyond its limits, as written.
  CHECK(typed_value("1.50") == R"({"N":"1.5"})");
  CHECK(typed_value("1e3") == R"({"N":"1000"})");
  CHECK(typed_value("1e400") == R"({"N":"1e400"})");
  CHECK(typed_value("123456789012345678901234567890123456789") == R"({"N":"123456789012345678901234567890123456789"})");

  const std::string item =
      R"({"k":{"S":"a\"b"},"n":{"N":"-12.5"},"l":{"L":[{"BOOL":false},{"NULL":true},{"B":"/w=="}]},)"
      R"("m":{"M":{"ss":{"SS":["x"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA==","AQ=="]}}}})";
  CHECK(typed(plain(item)) == item);
}

TEST_CASE("the collision: a one-member tagged object of the right shape is a binary or a set, else a map") {
  CHECK(typed_value(R"({"$B":"AAEC"})") == R"({"B":"AAEC"})");
  CHECK(typed_value(R"({"$B":"not base64"})") == R"({"M":{"$B":{"S":"not base64"}}})");
  CHECK(typed_value(R"({"$B":"AAEC","x":1})") == R"({"M":{"$B":{"S":"AAEC"},"x":{"N":"1"}}})");
  CHECK(typed_value(R"({"$SS":[]})") == R"({"M":{"$SS":{"L":[]}}})");
  CHECK(typed_value(R"({"$SS":["a",1]})") == R"({"M":{"$SS":{"L":[{"S":"a"},{"N":"1"}]}}})");
  CHECK(typed_value(R"({"$NS":["1"]})") == R"({"M":{"$NS":{"L":[{"S":"1"}]}}})");
  CHECK(typed_value(R"({"$BS":["AQ==","?"]})") == R"({"M":{"$BS":{"L":[{"S":"AQ=="},{"S":"?"}]}}})");
  CHECK(typed_value(R"({"$X":"AAEC"})") == R"({"M":{"$X":{"S":"AAEC"}}})");
}

TEST_CASE("sizes of plain items are those of their typed forms") {
  aws::ItemEncoder encoder;
  const std::string plain_item = R"({"k":"a","n":-1.5,"l":[1,null],"m":{"ab":"cd"},"s":{"$SS":["a","bc"]},"b":{"$B":"AAEC"}})";
  std::string typed_item;
  auto size = encoder.append_typed_item(typed_item, plain_item);
  REQUIRE(size);
  // k 1+1, n 1+4, l 1+(3+3+2), m 1+8, s 1+3, b 1+3
  CHECK(*size == 2 + 5 + 9 + 9 + 4 + 4);
  CHECK(encoder.item_size(plain_item) == size);
  simdjson::dom::parser parser;
  std::string back;
  CHECK(aws::append_plain_item(back, parser.parse(typed_item).value()).size == *size);
}

TEST_CASE("plain_binary reads a binary key's bytes") {
  CHECK(aws::plain_binary(R"({"$B":"AAEC"})") == std::string("\0\1\2", 3));
  CHECK(!aws::plain_binary(R"({"$B":"AAE"})"));
  CHECK(!aws::plain_binary(R"("AAEC")"));
  CHECK(!aws::plain_binary(R"({"$B":"AAEC","x":1})"));
}

TEST_CASE("a tagged object is a set only without duplicates, a binary only in canonical base64") {
  CHECK(typed_value(R"({"$SS":["a","a"]})") == R"({"M":{"$SS":{"L":[{"S":"a"},{"S":"a"}]}}})");
  CHECK(typed_value(R"({"$NS":[1,1.0]})") == R"({"M":{"$NS":{"L":[{"N":"1"},{"N":"1"}]}}})");
  CHECK(typed_value(R"({"$BS":["AA==","AA=="]})") == R"({"M":{"$BS":{"L":[{"S":"AA=="},{"S":"AA=="}]}}})");
  // "AB==" decodes (to the byte 0), but DynamoDB writes it "AA==": a map of a string, kept as written.
  CHECK(typed_value(R"({"$B":"AB=="})") == R"({"M":{"$B":{"S":"AB=="}}})");
  CHECK(plain_value(R"({"B":"AB=="})") == R"({"$B":"AA=="})");
}
