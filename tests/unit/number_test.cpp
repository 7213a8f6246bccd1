#include "store/decimal.h"

#include <doctest/doctest.h>

#include <string>

using namespace millrace::store;

namespace {

// DynamoDB's text of a typed N, or "refused" / the limit it breaks.
std::string canonical(std::string_view text) {
  auto number = parse_decimal(text, NumberSyntax::dynamodb);
  if (!number) return "refused";
  switch (check_limits(*number)) {
    case NumberLimit::ok: break;
    case NumberLimit::precision: return "precision";
    case NumberLimit::overflow: return "overflow";
    case NumberLimit::underflow: return "underflow";
  }
  std::string out;
  append_canonical(out, *number);
  return out;
}

std::size_t size_of(std::string_view text) { return dynamodb_size(parse_decimal(text, NumberSyntax::dynamodb).value()); }

}  // namespace

TEST_CASE("a typed N comes back as DynamoDB gives it: plain notation, no needless zero or sign") {
  // Each pair as DynamoDB Local 3.3.1 answered a PutItem then GetItem of the number.
  CHECK(canonical("1.50") == "1.5");
  CHECK(canonical("-0") == "0");
  CHECK(canonical("-0.0e5") == "0");
  CHECK(canonical("0.00") == "0");
  CHECK(canonical("1e3") == "1000");
  CHECK(canonical("12e2") == "1200");
  CHECK(canonical("1e+0") == "1");
  CHECK(canonical("0.000100") == "0.0001");
  CHECK(canonical("1E-10") == "0.0000000001");
  CHECK(canonical("1.0e-5") == "0.00001");
  CHECK(canonical("+5") == "5");
  CHECK(canonical("00012.3400") == "12.34");
  CHECK(canonical("1.2E+20") == "120000000000000000000");
  CHECK(canonical(".5") == "0.5");
  CHECK(canonical("5.") == "5");
  CHECK(canonical("-1.5e-3") == "-0.0015");
  CHECK(canonical("12345678901234567890123456789012345678") == "12345678901234567890123456789012345678");
  CHECK(canonical("1234567890123456789012345678901234567800000") == "1234567890123456789012345678901234567800000");
  CHECK(canonical("1e125") == "1" + std::string(125, '0'));
  CHECK(canonical("1e-130") == "0." + std::string(129, '0') + "1");
}

TEST_CASE("DynamoDB's limits: 38 significant digits, then the range 1e-130 to below 1e126") {
  CHECK(canonical("123456789012345678901234567890123456789") == "precision");
  CHECK(canonical("1e126") == "overflow");
  CHECK(canonical("9.99e125") == std::string("999") + std::string(123, '0'));
  CHECK(canonical("1e-131") == "underflow");
  CHECK(canonical("-1.5e-130") == "-0." + std::string(129, '0') + "15");
  // Precision is checked before the range, as DynamoDB does.
  CHECK(canonical("1234567890123456789012345678901234567891e200") == "precision");
  CHECK(canonical("1234567890123456789012345678901234567891e-200") == "precision");
}

TEST_CASE("what is not a number in DynamoDB's syntax, or in JSON's") {
  for (const char* bad : {"", "-", "+", ".", " 7 ", "0x10", "1_0", "Infinity", "NaN", "1e", "1e+", "1,5", "--1",
                          "1e99999999999999999999", "1e-999999999999"})
    CHECK_MESSAGE(!parse_decimal(bad, NumberSyntax::dynamodb), bad);
  // JSON's grammar is narrower: no '+', no bare point, no leading zero.
  for (const char* bad : {"+5", ".5", "5.", "01", "-01.5"}) CHECK_MESSAGE(!parse_decimal(bad, NumberSyntax::json), bad);
  for (const char* good : {"0", "-0", "0.5", "10", "1e5", "1E-5", "-2.50e+3"})
    CHECK_MESSAGE(parse_decimal(good, NumberSyntax::json), good);
  // A JSON exponent far beyond the range is a number beyond the range, not an error of syntax.
  CHECK(check_limits(parse_decimal("1e99999999999999999999", NumberSyntax::json).value()) == NumberLimit::overflow);
}

TEST_CASE("a number's size is DynamoDB's: one byte per pair of digits aligned on the point, plus one") {
  // Each measured on DynamoDB Local 3.3.1 by the item size at which a put costs a second write unit.
  CHECK(size_of("0") == 1);
  CHECK(size_of("1") == 2);
  CHECK(size_of("12") == 2);
  CHECK(size_of("123") == 3);
  CHECK(size_of("1234") == 3);
  CHECK(size_of("-1") == 3);
  CHECK(size_of("10") == 2);
  CHECK(size_of("100") == 2);
  CHECK(size_of("0.1") == 2);
  CHECK(size_of("0.01") == 2);
  CHECK(size_of("1.5") == 3);
  CHECK(size_of("-1.5") == 4);
  CHECK(size_of("12345678901234567890123456789012345678") == 20);
  CHECK(size_of("1234567890123456789012345678901234567") == 20);
}
