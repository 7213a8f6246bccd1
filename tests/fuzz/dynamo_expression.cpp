// DynamoDB's expressions (expr/dynamo.h): the parser of the five kinds, conditions evaluated,
// updates applied, items projected.
//
// Input: the first line is a kind letter (C condition, F filter, K key condition, U update,
// P projection) followed by the expression; the second a JSON array of values, given in turn
// to the :values the expression names (values beyond the array are 1); the third an item.
// Every #name the expression names is given, as the name after the '#'.
//
// Checks: compiling either throws ValidationError with one of DynamoDB's messages or gives the
// expressions; a condition and NOT (condition) answer oppositely on the item (when NOT (...)
// still compiles: it is longer and has one operator more); an update gives an item that is
// JSON and an object, and compiles and applies the same way twice; a projection gives a JSON
// object.
#include <map>
#include <optional>
#include <string>

#include "expr/document.h"
#include "expr/dynamo.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;
namespace dynamo = expr::dynamo;

namespace {

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The #names and :values of `text`, with their substitutions.
void substitutions(std::string_view text, const expr::Document& values, dynamo::Request& r) {
  std::uint32_t next_value =
      values.empty() || values.node(0).type != expr::Type::list ? expr::Document::kNone : 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '#' && text[i] != ':') continue;
    std::size_t end = i + 1;
    while (end < text.size() && is_word(text[end])) ++end;
    if (end == i + 1) continue;
    std::string key(text.substr(i, end - i));
    if (text[i] == '#') {
      if (!r.names) r.names.emplace();
      (*r.names)[key] = key.substr(1);
    } else {
      if (!r.values) r.values.emplace();
      if (r.values->contains(key)) continue;
      std::string json = "1";
      if (next_value != expr::Document::kNone && next_value < values.node(0).end) {
        json.clear();
        values.append_json(next_value, json);
        next_value = values.node(next_value).end;
      }
      (*r.values)[key] = json;
    }
    i = end - 1;
  }
}

std::optional<dynamo::Expressions> try_compile(const dynamo::Request& r,
                                               const dynamo::KeySchema& keys) {
  try {
    return dynamo::compile(r, keys);
  } catch (const dynamo::ValidationError& e) {
    std::string_view message = e.what();
    require(!message.empty(), "an empty message");
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  if (lines.empty() || lines[0].empty()) return 0;
  char kind = lines[0][0];
  std::string text(lines[0].substr(1));
  static expr::Document values, item;
  if (!values.parse(lines.size() > 1 ? lines[1] : "[]")) values.parse("[]");
  if (!item.parse(lines.size() > 2 ? lines[2] : "{}") || item.node(0).type != expr::Type::map)
    item.parse("{}");
  dynamo::KeySchema keys{{"pk", store::KeyType::string},
                         store::KeyAttribute{"sk", store::KeyType::number}};

  dynamo::Request r;
  r.operation = kind == 'U'                  ? "UpdateItem"
                : kind == 'K' || kind == 'F' ? "Query"
                : kind == 'P'                ? "GetItem"
                                             : "PutItem";
  std::string_view expression = text;
  switch (kind) {
    case 'C':
      r.condition_expression = expression;
      break;
    case 'F':
      r.filter_expression = expression;
      break;
    case 'K':
      r.key_condition_expression = expression;
      break;
    case 'U':
      r.update_expression = expression;
      break;
    case 'P':
      r.projection_expression = expression;
      break;
    default:
      return 0;
  }
  substitutions(text, values, r);
  std::optional<dynamo::Expressions> e = try_compile(r, keys);
  if (!e) return 0;

  if (e->condition || e->filter) {
    const dynamo::Condition& c = e->condition ? *e->condition : *e->filter;
    bool holds = c.matches(&item);
    require(c.matches(&item) == holds, "a condition answers twice differently");
    std::string negated = "NOT (" + text + ")";
    dynamo::Request n = r;
    (e->condition ? n.condition_expression : n.filter_expression) = negated;
    if (auto ne = try_compile(n, keys)) {
      const dynamo::Condition& nc = ne->condition ? *ne->condition : *ne->filter;
      require(nc.matches(&item) == !holds, "NOT (C) does not negate C");
    }
  }
  if (e->update) {
    std::string first, second;
    bool refused = false;
    try {
      first = e->update->apply(&item, R"({"pk":"k","sk":1})");
    } catch (const dynamo::ValidationError&) {
      refused = true;
    }
    if (!refused) {
      expr::Document out;
      require(out.parse(first) && out.node(0).type == expr::Type::map,
              "an update gives no JSON object");
      second = try_compile(r, keys)->update->apply(&item, R"({"pk":"k","sk":1})");
      require(first == second, "an update applies differently twice");
    }
  }
  if (e->projection) {
    std::string out;
    e->projection->apply(item, out);
    expr::Document projected;
    require(projected.parse(out) && projected.node(0).type == expr::Type::map,
            "a projection gives no JSON object");
  }
  return 0;
}
