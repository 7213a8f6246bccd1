#include "window/aggregates.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lines/json.h"

using namespace millrace::window;
using millrace::lines::Field;

namespace {

// Stands for a record without the field.
constexpr std::string_view kMissing = "<missing>";

// Records {"v": VALUE} (or {} for kMissing), parsed once, and the field v of each.
class Input {
 public:
  explicit Input(std::vector<std::string_view> values) {
    std::string json = "[";
    for (std::string_view v : values) {
      if (json.size() > 1) json += ',';
      json += v == kMissing ? std::string("{}") : "{\"v\":" + std::string(v) + "}";
    }
    json += ']';
    simdjson::dom::array records;
    REQUIRE(parser_.parse(json).get(records) == simdjson::SUCCESS);
    for (simdjson::dom::element record : records) {
      auto v = Field("v").find(record);
      values_.push_back(v ? Value::of(*v, arena_) : Value{});
    }
  }
  const std::vector<Value>& values() const { return values_; }

 private:
  simdjson::dom::parser parser_;
  Arena arena_;
  std::vector<Value> values_;
};

std::unique_ptr<Accumulator> make(std::string_view name, int arity = 1, double q = 0.5) {
  const AggregateKind* kind = find_aggregate(name, arity);
  REQUIRE(kind != nullptr);
  std::unique_ptr<Accumulator> accumulator = kind->make(q);
  REQUIRE(accumulator != nullptr);
  return accumulator;
}

std::string text(const Accumulator& accumulator) {
  std::string out;
  accumulator.write(out);
  return out;
}

// The result of the aggregate over `values`, each of which it must accept.
std::string result(std::string_view name, std::vector<std::string_view> values, int arity = 1,
                   double q = 0.5) {
  Input input(std::move(values));
  auto accumulator = make(name, arity, q);
  for (const Value& v : input.values()) REQUIRE(accumulator->add(v) == ValueError::none);
  return text(*accumulator);
}

}  // namespace

TEST_CASE("aggregates: the table lists each aggregate once, in help order") {
  std::vector<std::string_view> synopses;
  std::set<std::pair<std::string_view, int>> seen;
  for (const AggregateKind& kind : aggregate_kinds()) {
    synopses.push_back(kind.synopsis);
    CHECK(seen.insert({kind.name, kind.arity}).second);
    CHECK(kind.synopsis.starts_with(std::string(kind.name) + "("));
    CHECK(!kind.help.empty());
    CHECK(!kind.help.ends_with('.'));
    CHECK(static_cast<bool>(kind.make));
  }
  CHECK(synopses == std::vector<std::string_view>{"count(*)", "count(f)", "sum(f)", "min(f)",
                                                  "max(f)", "avg(f)", "first(f)", "last(f)",
                                                  "count_distinct(f)", "p50(f)", "p90(f)", "p99(f)",
                                                  "percentile(f, q)"});
  CHECK(find_aggregate("count", 0)->synopsis == "count(*)");
  CHECK(find_aggregate("count", 1)->synopsis == "count(f)");
  CHECK(find_aggregate("sum", 2) == nullptr);
  CHECK(find_aggregate("median", 1) == nullptr);
}

TEST_CASE("aggregates: count(*) counts records, count(f) the present non-null values") {
  std::vector<std::string_view> values = {"1", "null", kMissing, R"("x")", "{}", "false"};
  CHECK(result("count", values, 0) == "6");
  CHECK(result("count", values) == "4");
}

TEST_CASE("aggregates: an empty window gives 0 for counts and null for the rest") {
  for (const AggregateKind& kind : aggregate_kinds()) {
    CAPTURE(kind.synopsis);
    std::string expected = kind.name == "count_distinct" ? "0"
                           : kind.name == "count"        ? (kind.arity == 0 ? "2" : "0")
                                                         : "null";
    CHECK(result(kind.name, {kMissing, "null"}, kind.arity) == expected);
    CHECK(result(kind.name, {}, kind.arity) == (kind.name.starts_with("count") ? "0" : "null"));
  }
}

TEST_CASE("aggregates: a sum of integers is an exact integer") {
  CHECK(result("sum", {"1", "2", "3"}) == "6");
  CHECK(result("sum", {"-5", "2", "null", kMissing}) == "-3");
  // Exact through an overflow of 64 bits and back.
  CHECK(result("sum", {"9223372036854775807", "1", "-1"}) == "9223372036854775807");
  CHECK(result("sum", {"9223372036854775807", "9223372036854775807"}) == "18446744073709551614");
  CHECK(result("sum", {"18446744073709551615", "-9223372036854775808"}) == "9223372036854775807");
  // Beyond 64 bits: a double.
  CHECK(result("sum", {"18446744073709551615", "18446744073709551615"}) ==
        "3.6893488147419103e+19");
  CHECK(result("sum", {"-9223372036854775808", "-1"}) == "-9.223372036854776e+18");
}

TEST_CASE("aggregates: sums with a double are doubles, compensated, printed shortest") {
  CHECK(result("sum", {"1", "2.5"}) == "3.5");
  CHECK(result("sum", {"1.5", "1.5"}) == "3");
  CHECK(result("sum", std::vector<std::string_view>(10, "0.1")) == "1");
  CHECK(result("sum", {"1e308", "1e308"}) == "null");  // beyond doubles
}

TEST_CASE("aggregates: avg is a double printed shortest") {
  CHECK(result("avg", {"1", "2", "3"}) == "2");
  CHECK(result("avg", {"1", "2"}) == "1.5");
  CHECK(result("avg", {"1", "2.5", "null"}) == "1.75");
  CHECK(result("avg", {"9223372036854775807", "9223372036854775807"}) == "9.223372036854776e+18");
}

TEST_CASE("aggregates: min and max compare numbers exactly across int, uint and double") {
  CHECK(result("min", {"3", "1.5", "2"}) == "1.5");
  CHECK(result("max", {"3", "1.5", "2"}) == "3");
  CHECK(result("min", {"-1", "18446744073709551615", "0.5"}) == "-1");
  CHECK(result("max", {"-1", "18446744073709551615", "0.5"}) == "18446744073709551615");
  // 2^53 + 1 is above the double 2^53, which a comparison in doubles would not see.
  CHECK(result("max", {"9007199254740992.0", "9007199254740993"}) == "9007199254740993");
  CHECK(result("min", {"9007199254740993", "9007199254740992.0"}) == "9007199254740992");
  // A tie keeps the value seen first, as it was typed.
  CHECK(result("min", {"1e16", "10000000000000000"}) == "1e+16");
  CHECK(result("min", {"10000000000000000", "1e16"}) == "10000000000000000");
}

TEST_CASE("aggregates: min and max of strings compare bytes") {
  CHECK(result("min", {R"("b")", R"("a")", R"("c")", "null"}) == R"("a")");
  CHECK(result("max", {R"("b")", R"("a")", R"("c")"}) == R"("c")");
  CHECK(result("max", {R"("z")", R"("é")"}) == R"("é")");  // 0xc3 > 'z'
  CHECK(result("min", {R"("ab")", R"("a")"}) == R"("a")");
  CHECK(result("max", {R"("a\"b\n")"}) == R"("a\"b\n")");
}

TEST_CASE("aggregates: a value of the wrong type is reported and changes nothing") {
  struct Case {
    std::string_view name;
    std::string_view accepted;
    std::vector<std::string_view> refused;
  };
  std::vector<std::string_view> not_numbers = {R"("7")", "true", "{}", "[1]"};
  for (const Case& c : std::vector<Case>{
           {"sum", "7", not_numbers},
           {"avg", "7", not_numbers},
           {"p50", "7", not_numbers},
           {"p90", "7", not_numbers},
           {"p99", "7", not_numbers},
           {"min", "7", {R"("7")", "true", "{}", "[1]"}},
           {"max", R"("7")", {"7", "7.5", "18446744073709551615", "false", R"({"a":1})"}},
       }) {
    CAPTURE(c.name);
    std::vector<std::string_view> values = {c.accepted};
    values.insert(values.end(), c.refused.begin(), c.refused.end());
    Input input(values);
    auto accumulator = make(c.name);
    REQUIRE(accumulator->add(input.values()[0]) == ValueError::none);
    std::string before = text(*accumulator);
    for (std::size_t i = 1; i < input.values().size(); ++i) {
      CAPTURE(values[i]);
      CHECK(accumulator->check(input.values()[i]) == ValueError::wrong_type);
      CHECK(accumulator->add(input.values()[i]) == ValueError::wrong_type);
      CHECK(text(*accumulator) == before);
    }
  }
  auto percentile = make("percentile", 2, 0.3);
  Input strings({R"("x")"});
  CHECK(percentile->add(strings.values()[0]) == ValueError::wrong_type);
}

TEST_CASE("aggregates: count, first, last and count_distinct take every type") {
  std::vector<std::string_view> values = {"1", R"("s")", "true", R"({"a":[1,2]})", "[null]"};
  Input input(values);
  for (std::string_view name : {"count", "first", "last", "count_distinct"}) {
    auto accumulator = make(name);
    for (const Value& v : input.values()) CHECK(accumulator->add(v) == ValueError::none);
  }
}

TEST_CASE("aggregates: first and last follow arrival, skipping nulls, keeping values whole") {
  std::vector<std::string_view> values = {
      kMissing, "null", "1.50", R"("x")", R"({"a": [1, 2], "b": "c"})", "null"};
  CHECK(result("first", values) == "1.5");
  CHECK(result("last", values) == R"({"a":[1,2],"b":"c"})");
  CHECK(result("last", {"true", "false"}) == "false");
  CHECK(result("first", {R"("x\ny")", "2"}) == R"("x\ny")");
  CHECK(result("last", {"2", "18446744073709551615"}) == "18446744073709551615");
}

TEST_CASE("aggregates: count_distinct tells types apart but not spellings of a number") {
  // Distinct: 1, "1", true, false, "a", 100, 0, 0.5, {}, [1,2], 2^64 - 1, 2^53.
  CHECK(result("count_distinct", {"1",
                                  "1.0",
                                  "1e0",
                                  R"("1")",
                                  "true",
                                  "true",
                                  "false",
                                  R"("a")",
                                  R"("a")",
                                  "100",
                                  "1e2",
                                  "-0.0",
                                  "0",
                                  "0.5",
                                  "5e-1",
                                  "null",
                                  kMissing,
                                  "{}",
                                  "[1,2]",
                                  "[1, 2]",
                                  "18446744073709551615",
                                  "9007199254740992",
                                  "9007199254740992.0"}) == "12");
}

TEST_CASE("aggregates: percentiles of integers below 50 are exact integers") {
  std::vector<std::string> texts;
  for (int i = 40; i >= 1; --i) texts.push_back(std::to_string(i));
  std::vector<std::string_view> values(texts.begin(), texts.end());
  // PERCENTILE_DISC: the value of rank ceil(q n), n = 40.
  CHECK(result("p50", values) == "20");
  CHECK(result("p90", values) == "36");
  CHECK(result("p99", values) == "40");
  CHECK(result("percentile", values, 2, 0.25) == "10");
  CHECK(result("percentile", values, 2, 1) == "40");
  CHECK(result("percentile", values, 2, 0.001) == "1");
}

TEST_CASE("aggregates: percentiles of doubles are within 1%") {
  std::vector<std::string> texts;
  for (int i = 0; i < 100; ++i) texts.push_back(std::to_string(i) + ".5");
  std::vector<std::string_view> values(texts.begin(), texts.end());
  struct Case {
    std::string_view name;
    int arity;
    double q, exact;
  };
  for (const Case& c : {Case{"p50", 1, 0.5, 49.5}, Case{"p90", 1, 0.9, 89.5}, Case{"p99", 1, 0.99, 98.5},
                        Case{"percentile", 2, 0.123, 12.5}}) {
    CAPTURE(c.name);
    double got = std::stod(result(c.name, values, c.arity, c.q));
    CHECK(std::fabs(got - c.exact) <= 0.01 * c.exact);
  }
}

TEST_CASE("aggregates: percentile(f, q) takes q in (0, 1]") {
  const AggregateKind* percentile = find_aggregate("percentile", 2);
  CHECK(percentile->make(0) == nullptr);
  CHECK(percentile->make(-0.5) == nullptr);
  CHECK(percentile->make(1.5) == nullptr);
  CHECK(percentile->make(std::numeric_limits<double>::quiet_NaN()) == nullptr);
  CHECK(percentile->make(1) != nullptr);
  CHECK(percentile->make(1e-9) != nullptr);
}

TEST_CASE("aggregates: merging two accumulators equals adding every value to one") {
  std::vector<std::string_view> numbers = {"3", "-1", "2.5", "null", kMissing,
                                           "7", "0",  "4.5", "-2",   "18446744073709551615"};
  std::vector<std::string_view> strings = {R"("m")", "null",   R"("b")", R"("z")",
                                           R"("b")", kMissing, R"("a")"};
  for (const AggregateKind& kind : aggregate_kinds()) {
    bool takes_strings = kind.name == "count" || kind.name == "min" || kind.name == "max" ||
                         kind.name == "first" || kind.name == "last" ||
                         kind.name == "count_distinct";
    for (const std::vector<std::string_view>* list : {&numbers, &strings}) {
      if (list == &strings && !takes_strings) continue;
      const std::vector<std::string_view>& values = *list;
      Input input(values);
      std::string whole = result(kind.name, values, kind.arity, 0.3);
      for (std::size_t split = 0; split <= values.size(); ++split) {
        CAPTURE(kind.synopsis);
        CAPTURE(split);
        auto head = kind.make(0.3), tail = kind.make(0.3);
        for (std::size_t i = 0; i < values.size(); ++i) {
          REQUIRE((i < split ? head : tail)->add(input.values()[i]) == ValueError::none);
        }
        REQUIRE(head->merge(*tail) == ValueError::none);
        CHECK(text(*head) == whole);
      }
    }
  }
}

TEST_CASE("aggregates: min of strings does not merge with min of numbers") {
  Input input({"1", R"("a")"});
  for (std::string_view name : {"min", "max"}) {
    auto numbers = make(name), strings = make(name);
    REQUIRE(numbers->add(input.values()[0]) == ValueError::none);
    REQUIRE(strings->add(input.values()[1]) == ValueError::none);
    CHECK(numbers->merge(*strings) == ValueError::wrong_type);
    CHECK(strings->merge(*numbers) == ValueError::wrong_type);
    CHECK(text(*numbers) == "1");
    CHECK(text(*strings) == R"("a")");
    CHECK(numbers->merge(*make(name)) == ValueError::none);  // an empty one merges with either
  }
}

TEST_CASE("aggregates: write appends to what the line holds so far") {
  Input input({"6"});
  auto sum = make("sum");
  REQUIRE(sum->add(input.values()[0]) == ValueError::none);
  std::string out = R"({"Distance":)";
  sum->write(out);
  CHECK(out == R"({"Distance":6)");
}
