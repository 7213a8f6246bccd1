#include "expr/condition.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/error.h"

using millrace::expr::Condition;

namespace {

// A record parsed once, against which conditions are checked.
class Record {
 public:
  explicit Record(std::string_view json) : text_(json) {
    REQUIRE(parser_.parse(text_).get(root_) == simdjson::SUCCESS);
  }
  bool operator()(std::string_view condition) const {
    return Condition::compile(condition).matches(root_);
  }
  simdjson::dom::element root() const { return root_; }

 private:
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

// The message of the syntax error in `condition`, or "compiled".
std::string error_of(std::string_view condition, std::string_view option = "--where") {
  try {
    Condition::compile(condition, option);
  } catch (const millrace::cli::Error& e) {
    CHECK(e.status() == millrace::cli::Exit::usage);
    CHECK(e.where() == option);
    return e.what();
  }
  return "compiled";
}

}  // namespace

TEST_CASE("expr: every comparison operator compares numbers") {
  Record r(R"({"n":5})");
  for (auto yes : {"n = 5", "n == 5", "n != 4", "n <> 4", "n < 6", "n <= 5", "n <= 6", "n > 4",
                   "n >= 5", "n>=4", "5 = n", "4 < n", "n=5"}) {
    CAPTURE(yes);
    CHECK(r(yes));
  }
  for (auto no :
       {"n = 4", "n == 4", "n != 5", "n <> 5", "n < 5", "n <= 4", "n > 5", "n >= 6", "6 <= n"}) {
    CAPTURE(no);
    CHECK_FALSE(r(no));
  }
}

TEST_CASE("expr: and, or and not are case-insensitive keywords") {
  Record r(R"({"n":5})");
  CHECK(r("n = 5 and n < 6"));
  CHECK_FALSE(r("n = 5 and n > 6"));
  CHECK(r("n = 4 or n = 5"));
  CHECK_FALSE(r("n = 4 or n = 6"));
  CHECK(r("not n = 4"));
  CHECK(r("n = 5 AND NOT n = 4 Or n = 0"));
  CHECK(r("NOT NOT n = 5"));
  CHECK(r("true") == true);
  CHECK(r("TRUE and not False"));
  CHECK_FALSE(r("false"));
}

TEST_CASE("expr: not binds tighter than and, and and tighter than or") {
  Record r(R"({"a":true,"b":false,"c":false})");
  CHECK(r("a or b and c"));  // a or (b and c)
  CHECK(r("b and c or a"));  // (b and c) or a
  CHECK_FALSE(r("(a or b) and c"));
  CHECK_FALSE(r("not a and b"));  // (not a) and b
  CHECK(r("not (a and b)"));
  CHECK(r("not a or a"));
  CHECK_FALSE(r("not b = false"));  // not (b = false): a comparison binds tighter than not
  CHECK(r("((a))"));
  CHECK(r("a and (b or (c or a)) and not (b or c)"));
}

TEST_CASE("expr: numbers compare by value across int64, uint64 and double") {
  Record r(R"({"i":3,"d":3.0,"f":2.5,"neg":-1,"u":18446744073709551615,"big":9007199254740993,)"
           R"("h":9223372036854775808,"min":-9223372036854775808,"z":-0.0})");
  CHECK(r("i = 3.0"));
  CHECK(r("d = 3"));
  CHECK(r("i = d"));
  CHECK(r("i = 3e0"));
  CHECK(r("1e3 = 1000"));
  CHECK(r("1.5E-1 = 0.15"));
  CHECK(r("f > 2 and f < 3 and f != 2 and f >= 2.5"));
  CHECK(r("-2.5 < -2 and -2.5 > -3"));
  CHECK(r("z = 0 and z = -0 and 0 = -0.0"));
  // 2^63 is a uint64 and -1 an int64: no wrap-around.
  CHECK(r("9223372036854775808 > -1"));
  CHECK(r("h > neg and h > i and neg < h"));
  CHECK(r("h = 9223372036854775808 and h > 9223372036854775807"));
  CHECK(r("min < h and min = -9223372036854775808 and min < -9223372036854775807"));
  CHECK(r("u = 18446744073709551615 and u > neg and u > h"));
  // 18446744073709551616 does not fit 64 bits: it is the double 2^64, above every uint64.
  CHECK(r("u < 18446744073709551616"));
  CHECK(r("u < 18446744073709551615.0"));  // that double is 2^64 too
  CHECK_FALSE(r("u = 18446744073709551615.0"));
  CHECK(r("u != 1.8446744073709552e19"));
  // 2^53 + 1 is exact as an int64 but rounds to 2^53 as a double.
  CHECK(r("big = 9007199254740993"));
  CHECK(r("big > 9007199254740992.0"));
  CHECK_FALSE(r("big = 9007199254740992.0"));
  CHECK(r("big < 9007199254740994.0"));
  CHECK(r("neg < 0.5 and neg > -1.5 and neg = -1.0"));
  CHECK(r("i < 3.5 and i > 2.9999"));
}

TEST_CASE("expr: strings compare by bytes, after escapes in the query and in the JSON") {
  Record r(
      R"({"s":"Shadowfax","e":"caf\u00e9","q":"it's \"x\"","b":"a\\b","u":"\ud83e\udd84","empty":""})");
  CHECK(r("s = 'Shadowfax'"));
  CHECK(r("s = \"Shadowfax\""));
  CHECK(r("s != 'shadowfax'"));
  CHECK(r("s < 'shadowfax'"));  // 'S' is 0x53, 's' is 0x73
  CHECK(r("'B' < 'a'"));
  CHECK(r("s < 'Shadowfaxx' and s > 'Shadow'"));
  CHECK(r("e = 'café'"));          // JSON's \u00e9 is the UTF-8 of é
  CHECK(r("e > 'cafz'"));          // é starts with 0xC3, above 'z'
  CHECK(r("u = '🦄'"));          // a surrogate pair is one 4-byte character
  CHECK(r("q = 'it\\'s \"x\"'"));  // the query text is: q = 'it\'s "x"'
  CHECK(r("q = \"it's \\\"x\\\"\""));
  CHECK(r("b = 'a\\\\b'"));  // the query text is: b = 'a\\b'
  CHECK(r("empty = '' and empty < 'a'"));
  CHECK(r("s in ('Rocinante', 'Shadowfax')"));
}

TEST_CASE("expr: booleans order false before true") {
  Record r(R"({"t":true,"f":false})");
  CHECK(r("t = true and f = false"));
  CHECK(r("f < t and t > f and true > false"));
  CHECK(r("t != f"));
  CHECK(r("f <= false and f >= false"));
}

TEST_CASE("expr: values of different types are unequal and unordered") {
  Record r(R"({"n":5,"s":"5","t":true,"o":{"k":1},"a":[1]})");
  CHECK_FALSE(r("n = '5'"));
  CHECK(r("n != '5'"));
  CHECK(r("n <> s"));
  CHECK_FALSE(r("n < '6'"));
  CHECK_FALSE(r("n > '4'"));
  CHECK_FALSE(r("n >= s or n <= s"));
  CHECK_FALSE(r("t = 1"));
  CHECK(r("t != 1"));
  // Objects and arrays equal nothing, not even themselves.
  CHECK_FALSE(r("o = o"));
  CHECK(r("o != o"));
  CHECK_FALSE(r("a = a or a < a"));
  CHECK(r("/o/k = 1 and /a/0 = 1"));
}

TEST_CASE("expr: a missing field is null") {
  Record r(R"({"n":5})");
  CHECK(r("missing = null"));
  CHECK(r("missing is null"));
  CHECK_FALSE(r("missing is not null"));
  CHECK(r("missing != 1"));
  CHECK_FALSE(r("missing = 1"));
  CHECK_FALSE(r("missing < 1 or missing > 1 or missing <= 1 or missing >= 1"));
  CHECK(r("missing = other_missing"));
  CHECK_FALSE(r("missing != null"));
  CHECK(r("/n/deeper is null"));  // a path through a number
}

TEST_CASE("expr: JSON null equals only null and is unordered") {
  Record r(R"({"x":null,"n":0})");
  CHECK(r("x is null"));
  CHECK(r("x = null and null = x and null = null"));
  CHECK(r("x == missing"));
  CHECK_FALSE(r("x != null"));
  CHECK_FALSE(r("x = 0 or x = '' or x = false"));
  CHECK(r("x != 0 and x <> n"));
  CHECK_FALSE(r("x <= null or x >= null or x < 1"));
}

TEST_CASE("expr: is null and is not null test for missing and null fields") {
  Record r(R"({"n":1,"x":null,"s":""})");
  CHECK(r("missing is null and x is null"));
  CHECK_FALSE(r("n is null or s is null"));
  CHECK(r("n is not null and s IS NOT NULL"));
  CHECK_FALSE(r("x is not null"));
  CHECK(r("not n is null"));
}

TEST_CASE("expr: in tests equality with each value of the list") {
  Record r(R"({"n":5,"name":"Shadowfax","m":5.0})");
  CHECK(r("name in ('Rocinante', 'Shadowfax', 'Bucephalus')"));
  CHECK_FALSE(r("name in ('Rocinante')"));
  CHECK(r("n in (1, 5.0, 'x')"));
  CHECK_FALSE(r("n in (1, 2, '5')"));
  CHECK(r("n in (m)"));
  CHECK(r("missing in (1, null)"));
  CHECK(r("n not in (1, 2)"));
  CHECK_FALSE(r("n NOT IN (5)"));
  CHECK(r("n in(5)and name in('Shadowfax')"));
}

TEST_CASE("expr: a field alone is a condition that holds when it is true") {
  Record r(R"({"yes":true,"no":false,"one":1,"text":"true","none":null,"user":{"banned":true}})");
  CHECK(r("yes"));
  CHECK_FALSE(r("no"));
  CHECK_FALSE(r("one"));
  CHECK_FALSE(r("text"));
  CHECK_FALSE(r("none"));
  CHECK_FALSE(r("missing"));
  CHECK(r("not no and not missing"));
  CHECK_FALSE(r("not /user/banned"));
  CHECK(r("yes and (no or /user/banned)"));
}

TEST_CASE("expr: fields are named, backquoted or given as JSON pointers") {
  Record r(R"({"Magic Points":150,"user":{"id":"u7","first name":"Ann"},"a":[10,{"b":"x"}],)"
           R"("a/b":1,"m~n":2,"and":3,"True":4,"o":{"0":"zero"},"_x1":5})");
  CHECK(r("`Magic Points` = 150"));
  CHECK(r("/user/id = 'u7'"));
  CHECK(r("/user/id='u7'"));
  CHECK(r("`/user/first name` = 'Ann'"));
  CHECK(r("/a/0 = 10 and /a/1/b = 'x'"));
  CHECK(r("/a/2 is null and /a/01 is null and /a/- is null and /a/x is null"));
  CHECK(r("/o/0 = 'zero'"));  // on an object, 0 is a key
  CHECK(r("`a/b` = 1 and /a~1b = 1"));
  CHECK(r("`m~n` = 2 and /m~0n = 2"));
  CHECK(r("`and` = 3 and `True` = 4"));
  CHECK(r("_x1 = 5"));
  CHECK(r("(/user/id = 'u7')"));
  CHECK(r("/user/id in ('u7')"));
  CHECK(r("`a\\`b` is null"));  // the name a`b
}

TEST_CASE("expr: fields lists each field read once, in order of first use") {
  Condition expr =
      Condition::compile("b = 1 and a = 2 or /b = 3 and /user/id = 'x' and `Magic Points` > 1 or a");
  std::vector<std::string> specs, pointers;
  for (const auto& field : expr.fields()) {
    specs.push_back(field.spec());
    pointers.push_back(field.pointer());
  }
  CHECK(specs == std::vector<std::string>{"b", "a", "/user/id", "Magic Points"});
  CHECK(pointers == std::vector<std::string>{"/b", "/a", "/user/id", "/Magic Points"});
  CHECK(Condition::compile("true").fields().empty());
}

TEST_CASE("expr: a compiled condition can be moved and reused across records") {
  Condition expr = Condition::compile("s = 'short' and n in (1, 2)");
  Condition moved = std::move(expr);  // the literal 'short' lives in a small string, moved with it
  CHECK(moved.matches(Record(R"({"s":"short","n":2})").root()));
  CHECK_FALSE(moved.matches(Record(R"({"s":"short","n":3})").root()));
  CHECK_FALSE(moved.matches(Record(R"({"s":"long","n":1})").root()));
}

TEST_CASE("expr: syntax errors name their column") {
  CHECK(error_of("") == "at column 1: empty expression");
  CHECK(error_of("   ") == "at column 4: empty expression");
  CHECK(error_of("(a = 1") == "at column 1: unclosed '('");
  CHECK(error_of("a = 1 and (b = 2 or (c)") == "at column 11: unclosed '('");
  CHECK(error_of("a = 1)") == "at column 6: unmatched ')'");
  CHECK(error_of("()") == "at column 2: empty parentheses");
  CHECK(error_of("(a b)") == "at column 4: expected 'and', 'or' or ')', found 'b'");
  CHECK(error_of("a =") == "at column 4: expected a value after '=', found the end");
  CHECK(error_of("a = 1 and") == "at column 10: expected a value after 'and', found the end");
  CHECK(error_of("a or or b") == "at column 6: expected a value after 'or', found 'or'");
  CHECK(error_of("not") == "at column 4: expected a value after 'not', found the end");
  CHECK(error_of("= 1") == "at column 1: expected a value, found '='");
  CHECK(error_of("and = 1") == "at column 1: expected a value, found 'and'");
  CHECK(error_of("a # 1") == "at column 3: unexpected character '#'");
  CHECK(error_of("é = 1") == "at column 1: unexpected character 'é'");
  CHECK(error_of("a ! b") == "at column 3: '!' is not an operator; use != or not");
  CHECK(error_of("a && b") == "at column 3: unexpected character '&'; use and");
  CHECK(error_of("a || b") == "at column 3: unexpected character '|'; use or");
  CHECK(error_of("a < b < c") == "at column 7: comparisons do not chain; join them with and");
  CHECK(error_of("a = 1 is null") == "at column 7: comparisons do not chain; join them with and");
  CHECK(error_of("a is null in (1)") ==
        "at column 11: comparisons do not chain; join them with and");
  CHECK(error_of("a = 1 b") == "at column 7: expected 'and', 'or' or the end, found 'b'");
  CHECK(error_of("'é' = x y") ==
        "at column 9: expected 'and', 'or' or the end, found 'y'");  // columns count characters
}

TEST_CASE("expr: syntax errors in literals, names, is and in") {
  CHECK(error_of("5") == "at column 1: a number is not a condition; compare it with something");
  CHECK(error_of("a and 'x'") ==
        "at column 7: a string is not a condition; compare it with something");
  CHECK(error_of("not null") == "at column 5: null is not a condition; compare it with something");
  CHECK(error_of("a = 'abc") == "at column 5: unterminated string");
  CHECK(error_of("a = \"abc\\\"") == "at column 5: unterminated string");  // a = "abc\"
  CHECK(error_of("`abc = 1") == "at column 1: unterminated name");
  CHECK(error_of("`` = 1") == "at column 1: empty name ``");
  CHECK(error_of("a = 'x\\n'") ==
        "at column 7: '\\n' is not an escape; a backslash escapes only \\ ' \" and `");
  CHECK(error_of("01 = a") == "at column 1: invalid number '01'");
  CHECK(error_of("a = 1.") == "at column 5: invalid number '1.'");
  CHECK(error_of("a = 1e") == "at column 5: invalid number '1e'");
  CHECK(error_of("a = 1.2.3") == "at column 5: invalid number '1.2.3'");
  CHECK(error_of("a = 12ab") == "at column 5: invalid number '12ab'");
  CHECK(error_of("a = -") == "at column 5: '-' must start a number");
  CHECK(error_of("a = -x") == "at column 5: '-' must start a number");
  CHECK(error_of("a = 1e999") == "at column 5: number '1e999' is out of range");
  CHECK(error_of("/a~2 = 1") == "at column 3: '~' in a pointer must be followed by 0 or 1");
  CHECK(error_of("/a~ = 1") == "at column 3: '~' in a pointer must be followed by 0 or 1");
  CHECK(error_of("a is 1") == "at column 6: expected null after 'is', found '1'");
  CHECK(error_of("a is not") == "at column 9: expected null after 'not', found the end");
  CHECK(error_of("a not b") == "at column 7: expected in after 'not', found 'b'");
  CHECK(error_of("a in 1") == "at column 6: expected '(' after 'in', found '1'");
  CHECK(error_of("a in ()") == "at column 7: empty list; in needs at least one value");
  CHECK(error_of("a in (1, 2") == "at column 6: unclosed '('");
  CHECK(error_of("a in (1 2)") == "at column 9: expected ',' or ')', found '2'");
  CHECK(error_of("a in (1,)") == "at column 9: expected a value after ',', found ')'");
}

TEST_CASE("expr: nesting is bounded and the option is named in the error") {
  CHECK(error_of(std::string(300, '(') + "a" + std::string(300, ')')) ==
        "at column 257: nested deeper than 256 levels");
  CHECK(error_of(std::string(100, '(') + "a" + std::string(100, ')')) == "compiled");
  CHECK(error_of("a <", "--if") == "at column 4: expected a value after '<', found the end");
}
