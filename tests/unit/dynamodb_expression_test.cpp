#include "aws/dynamodb_expression.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "aws/attribute_value.h"
#include "cli/error.h"
#include "expr/document.h"
#include "expr/dynamo.h"
#include "table/item.h"

using namespace millrace;
using aws::ExpressionAttributes;

namespace {

// The names and values a request carries, read back from its members: names as given, values
// in plain JSON (expr/dynamo.h takes them so).
struct Members {
  std::map<std::string, std::string> names, values;
};

Members members_of(const ExpressionAttributes& attributes) {
  std::string text;
  attributes.append_members(text);
  std::string json = "{" + (text.empty() ? std::string() : text.substr(1)) + "}";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  Members m;
  simdjson::dom::object object;
  if (doc["ExpressionAttributeNames"].get(object) == simdjson::SUCCESS)
    for (auto [key, value] : object) m.names[std::string(key)] = std::string(value.get_string().value());
  if (doc["ExpressionAttributeValues"].get(object) == simdjson::SUCCESS) {
    for (auto [key, value] : object) {
      std::string plain;
      REQUIRE_FALSE(aws::append_plain_value(plain, value).error);
      m.values[std::string(key)] = plain;
    }
  }
  return m;
}

const expr::dynamo::KeySchema kKeys{{"pk", store::KeyType::string}, std::nullopt};

// `expression` of `operation` (PutItem: a ConditionExpression; UpdateItem: an UpdateExpression)
// with its names and values, compiled by the DynamoDB expression engine of gw-serve (checked
// against DynamoDB Local's answers in dynamo_test.cpp): an independent reading.
expr::dynamo::Expressions compiled(std::string_view operation, const std::string& expression,
                                   const ExpressionAttributes& attributes) {
  Members m = members_of(attributes);
  expr::dynamo::Request request;
  request.operation = operation;
  (operation == "PutItem" ? request.condition_expression : request.update_expression) = expression;
  if (!m.names.empty()) request.names = m.names;
  if (!m.values.empty()) request.values = m.values;
  return expr::dynamo::compile(request, kKeys);
}

// The translation of `condition`, compiled.
expr::dynamo::Condition translated(const expr::Condition& condition) {
  ExpressionAttributes attributes;
  std::string expression;
  auto problem = aws::append_condition_expression(expression, condition, attributes);
  REQUIRE_MESSAGE(!problem, *problem);
  auto expressions = compiled("PutItem", expression, attributes);
  REQUIRE(expressions.condition);
  return *expressions.condition;
}

std::optional<std::string> refusal(std::string_view condition) {
  ExpressionAttributes attributes;
  std::string expression;
  return aws::append_condition_expression(expression, expr::Condition::compile(condition, "--if"), attributes);
}

}  // namespace

TEST_CASE("dynamodb_expression: a translated condition holds on exactly the items the local one does") {
  // Items with each kind of value where the conditions look, and without it.
  const std::vector<std::string> items = {
      R"({"pk":"a"})",
      R"({"pk":"a","n":5,"s":"abc","b":true,"z":null,"m":{"x":1,"y":"q"},"l":[1,2]})",
      R"({"pk":"a","n":5.5,"s":"abd","b":false,"z":0,"m":{"x":"1"}})",
      R"({"pk":"a","n":-3,"s":"","b":"true","z":"null","m":{}})",
      R"({"pk":"a","n":"5","s":5,"b":1,"m":{"x":null}})",
      R"({"pk":"a","n":12345678901234,"s":"ABC","m":[1]})",
      R"({"pk":"a","n":{"v":1},"s":["abc"],"z":{}})",
  };
  const std::vector<std::string> conditions = {
      "n = 5", "n != 5", "n <> 5.5", "n < 5", "n <= 5", "n > 5", "n >= -3", "5 < n", "5.5 = n",
      "n = 12345678901234", "s = 'abc'", "s != 'abc'", "s < 'abd'", "s >= 'ABC'", "'abc' > s",
      "s = ''", "b", "not b", "b = false", "b != true", "z is null", "z is not null", "z = null",
      "z != null", "null = z", "missing is null", "missing = 1", "missing != 1", "missing < 1",
      "z < null", "/m/x = 1", "/m/x is null", "/m/x != '1'", "/m/y = 'q'", "`n` = 5",
      "n in (5, 5.5, 'x')", "n not in (5, -3)", "s in ('abc') and n > 0", "n = 5 or s = 'ABC'",
      "not (n = 5 or b) and z is null", "1 = 1", "1 = 2", "null = null", "1 < 'a'",
      "s in (null, 'abc')",
  };
  simdjson::dom::parser parser;
  for (const std::string& text : conditions) {
    expr::Condition local = expr::Condition::compile(text, "--if");
    expr::dynamo::Condition remote = translated(local);
    for (const std::string& item : items) {
      simdjson::dom::element root;
      REQUIRE(parser.parse(item).get(root) == simdjson::SUCCESS);
      expr::Document document;
      REQUIRE(document.parse(item));
      CAPTURE(text);
      CAPTURE(item);
      CHECK(remote.matches(&document) == local.matches(root));
    }
    // No item at all: kv-put's --if sees {} locally.
    simdjson::dom::element root_of_nothing;
    REQUIRE(parser.parse(std::string_view("{}")).get(root_of_nothing) == simdjson::SUCCESS);
    CAPTURE(text);
    CHECK(remote.matches(nullptr) == local.matches(root_of_nothing));
  }
}

TEST_CASE("dynamodb_expression: what DynamoDB cannot say the same way is refused with the reason") {
  CHECK(refusal("a = b").value().find("compares two attributes") != std::string::npos);
  CHECK(refusal("n > 1 and a != b").value().find("compares two attributes") != std::string::npos);
  CHECK(refusal("/l/0 = 1").value().find("a step that is a number") != std::string::npos);
  CHECK(refusal("b < true").value().find("orders booleans") != std::string::npos);
  CHECK(refusal("n = 1e200").value().find("beyond DynamoDB's range") != std::string::npos);
  CHECK_FALSE(refusal("n = 1e125"));
  CHECK_FALSE(refusal("/m/x = 1 and not /m/y"));
}

TEST_CASE("dynamodb_expression: names and values go through placeholders, a name once") {
  ExpressionAttributes attributes;
  std::string expression;
  REQUIRE_FALSE(aws::append_condition_expression(
      expression, expr::Condition::compile("`a b` = 'x' or `a b` = 'y' and size > 1", "--if"), attributes));
  CHECK(expression == "(#n0 = :v0 OR (#n0 = :v1 AND #n1 > :v2))");
  std::string members;
  attributes.append_members(members);
  CHECK(members == R"(,"ExpressionAttributeNames":{"#n0":"a b","#n1":"size"},)"
                   R"("ExpressionAttributeValues":{":v0":{"S":"x"},":v1":{"S":"y"},":v2":{"N":"1"}})");
}

TEST_CASE("dynamodb_expression: an update expression does what table::apply_update does") {
  // stored, the line, --add and --remove: the SET and ADD of the line's attributes but the key,
  // and REMOVE of those named, as kv-put builds them.
  struct Case {
    const char* stored;
    const char* line;
    std::vector<std::string> add, remove;
  };
  const std::vector<Case> cases = {
      {R"({"pk":"a","n":1,"s":"x"})", R"({"pk":"a","s":"y","t":[1,{"u":2}]})", {}, {}},
      {R"({"pk":"a","n":1,"s":"x"})", R"({"pk":"a","n":41})", {"n"}, {}},
      {nullptr, R"({"pk":"a","n":2,"m":{"k":"v"}})", {"n"}, {}},
      {R"({"pk":"a","n":1,"s":"x","gone":true})", R"({"pk":"a","s":"z"})", {}, {"gone", "never"}},
      {R"({"pk":"a","n":1})", R"({"pk":"a","n":5})", {}, {"n"}},
      {R"({"pk":"a"})", R"({"pk":"a"})", {}, {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    table::ItemParser stored_parser, line_parser;
    const std::vector<table::Attribute>* stored = c.stored ? stored_parser.split(c.stored) : nullptr;
    const std::vector<table::Attribute>* line = line_parser.split(c.line);
    REQUIRE(line);
    std::string local;
    REQUIRE_FALSE(table::apply_update(stored, *line, {c.add, c.remove}, local));

    aws::ItemEncoder encoder;
    std::vector<std::string> typed;
    for (const table::Attribute& a : *line) {
      std::string& t = typed.emplace_back();
      REQUIRE(encoder.append_typed_value(t, a.value));
    }
    aws::UpdateParts parts;
    for (std::size_t i = 0; i < line->size(); ++i) {
      const std::string& name = (*line)[i].name;
      bool removed = std::find(c.remove.begin(), c.remove.end(), name) != c.remove.end();
      if (name == "pk" || removed) continue;
      parts.assignments.push_back({name, typed[i], std::find(c.add.begin(), c.add.end(), name) != c.add.end()});
    }
    parts.remove = c.remove;
    ExpressionAttributes attributes;
    std::string expression;
    aws::append_update_expression(expression, parts, attributes);
    std::string remote = c.stored ? c.stored : R"({"pk":"a"})";
    if (!expression.empty()) {
      auto expressions = compiled("UpdateItem", expression, attributes);
      REQUIRE(expressions.update);
      expr::Document document;
      if (c.stored) REQUIRE(document.parse(c.stored));
      remote = expressions.update->apply(c.stored ? &document : nullptr, R"({"pk":"a"})");
    }
    expr::Document a, b;
    REQUIRE(a.parse(local));
    REQUIRE(b.parse(remote));
    CAPTURE(local);
    CAPTURE(remote);
    CHECK(expr::equal(a, 0, b, 0));
  }
}
