#include "expr/compare.h"

#include <doctest/doctest.h>

#include <cstdint>

using namespace millrace::expr;

namespace {

Scalar number(Number n) {
  Scalar s;
  s.type = Type::number;
  s.number = n;
  return s;
}
Scalar bytes(Type type, std::string_view b) {
  Scalar s;
  s.type = type;
  s.bytes = b;
  return s;
}

}  // namespace

// Expected orders worked out by hand: the exact values of the doubles are their binary
// expansions (0.1 is 0.1000000000000000055511151231257827…, 2^53 is 9007199254740992).
TEST_CASE("compare: numbers order by value whatever their form") {
  CHECK(compare_numbers(Number::of_int64(3), Number::of_text("3.0")) == 0);
  CHECK(compare_numbers(Number::of_text("3e0"), Number::of_double(3.0)) == 0);
  CHECK(compare_numbers(Number::of_uint64(18446744073709551615u),
                        Number::of_text("18446744073709551616")) < 0);
  CHECK(compare_numbers(Number::of_text("9007199254740993"),
                        Number::of_double(9007199254740992.0)) > 0);
  CHECK(compare_numbers(Number::of_double(0.1), Number::of_text("0.1")) > 0);
  CHECK(compare_numbers(
            Number::of_double(0.1),
            Number::of_text("0.1000000000000000055511151231257827021181583404541015625")) == 0);
  CHECK(compare_numbers(Number::of_double(-0.0), Number::of_text("0")) == 0);
  CHECK(compare_numbers(Number::of_int64(-1), Number::of_uint64(0)) < 0);
  CHECK(compare_numbers(Number::of_double(5e-324), Number::of_text("0")) >
        0);  // the smallest subnormal
  CHECK(compare_numbers(Number::of_text("-1e-400"), Number::of_double(-0.0)) < 0);
}

TEST_CASE("compare: strings and binary values by unsigned bytes, booleans false first") {
  CHECK(order(bytes(Type::string, "B"), bytes(Type::string, "a")) == -1);
  CHECK(order(bytes(Type::string, "\xc3\xa9"), bytes(Type::string, "z")) == 1);  // é is 0xC3 0xA9
  CHECK(order(bytes(Type::binary, "\x80"), bytes(Type::binary, "\x01\x02")) == 1);
  CHECK(order(bytes(Type::string, "ab"), bytes(Type::string, "abc")) == -1);
  Scalar f, t;
  f.type = t.type = Type::boolean;
  t.boolean = true;
  CHECK(order(f, t) == -1);
}

TEST_CASE("compare: values of different types neither equal nor order") {
  CHECK_FALSE(order(bytes(Type::string, "5"), number(Number::of_int64(5))));
  CHECK_FALSE(order(bytes(Type::string, "a"), bytes(Type::binary, "a")));
  CHECK_FALSE(equal_scalars(bytes(Type::string, "a"), bytes(Type::binary, "a")));
  Scalar null, missing;
  null.type = Type::null;
  CHECK(equal_scalars(null, null));
  CHECK_FALSE(order(null, null));
  CHECK_FALSE(equal_scalars(missing, missing));
  Scalar map;
  map.type = Type::map;
  CHECK_FALSE(equal_scalars(map, map));
}
