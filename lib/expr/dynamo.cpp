// DynamoDB's expressions: a request's compilation, with the checks DynamoDB makes of it as a
// whole, and key conditions made into what table::query() takes. Evaluation is in
// dynamo_evaluate.cpp, updates in dynamo_update.cpp.
#include "expr/dynamo.h"

#include <fmt/format.h>

#include <algorithm>

#include "expr/dynamo_tree.h"
#include "lines/json.h"

namespace millrace::expr::dynamo {
namespace {

using namespace detail;

// DynamoDB's limit on the keys of ExpressionAttributeNames and ExpressionAttributeValues.
constexpr std::size_t kMaxSubstitutionKeyBytes = 255;

// Some of DynamoDB's messages list names in the order of a Java HashSet of them (DynamoDB
// Local's, which is the oracle): by bucket of String.hashCode, in a table of 16 buckets while
// it holds 12 names or fewer, doubling beyond.
std::string java_set(std::vector<std::string> names) {
  std::size_t buckets = 16;
  while (names.size() > buckets * 3 / 4) buckets *= 2;
  auto bucket = [&](const std::string& s) {
    std::uint32_t h = 0;
    for (unsigned char c : s) h = h * 31 + c;
    return (h ^ (h >> 16)) & (buckets - 1);
  };
  std::stable_sort(names.begin(), names.end(),
                   [&](const auto& a, const auto& b) { return bucket(a) < bucket(b); });
  std::string out = "{";
  for (const std::string& name : names) out.append(out.size() > 1 ? ", " : "").append(name);
  return out + "}";
}

[[noreturn]] void fail(const std::string& message) { throw ValidationError(message); }

// ExpressionAttributeNames or ExpressionAttributeValues: not empty, keys of the form #name or
// :name and not too long, names not empty.
void check_substitutions(const std::optional<std::map<std::string, std::string>>& map, char sigil) {
  if (!map) return;
  std::string_view member = sigil == '#' ? "ExpressionAttributeNames" : "ExpressionAttributeValues";
  if (map->empty()) fail(fmt::format("{} must not be empty", member));
  for (const auto& [key, value] : *map) {
    if (key.size() > kMaxSubstitutionKeyBytes) {
      fail(sigil == '#' ? fmt::format("{} contains invalid key: The expression attribute map "
                                      "contains a key that is too long; size of key: {}",
                                      member, key.size())
                        : fmt::format("{} contains invalid key: The expression attribute map "
                                      "contains a key that is too long;",
                                      member));
    }
    bool word =
        key.size() > 1 && key[0] == sigil && std::all_of(key.begin() + 1, key.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_';
        });
    if (!word) fail(fmt::format("{} contains invalid key: Syntax error; key: \"{}\"", member, key));
    if (sigil == '#' && value.empty())
      fail(fmt::format("{} contains invalid value: Empty attribute name for key {}", member, key));
  }
}

// The expression members that cannot go with the older ones.
void check_mixing(const Request& r) {
  std::vector<std::string> old, expressions;
  // In the order DynamoDB lists them.
  if (r.attributes_to_get) old.push_back("AttributesToGet");
  if (r.attribute_updates) old.push_back("AttributeUpdates");
  if (r.expected) old.push_back("Expected");
  if (r.conditional_operator) old.push_back("ConditionalOperator");
  if (r.key_conditions) old.push_back("KeyConditions");
  if (r.query_filter) old.push_back("QueryFilter");
  if (r.scan_filter) old.push_back("ScanFilter");
  if (r.key_condition_expression) expressions.push_back("KeyConditionExpression");
  if (r.condition_expression) expressions.push_back("ConditionExpression");
  if (r.filter_expression) expressions.push_back("FilterExpression");
  if (r.update_expression) expressions.push_back("UpdateExpression");
  if (r.projection_expression) expressions.push_back("ProjectionExpression");
  if (old.empty() || expressions.empty()) return;
  std::string listed = "{";
  for (const std::string& name : old) listed.append(listed.size() > 1 ? ", " : "").append(name);
  fail(
      fmt::format("Can not use both expression and non-expression parameters in the same request: "
                  "Non-expression parameters: {}}} Expression parameters: {}",
                  listed, java_set(expressions)));
}

// ExpressionAttributeValues without an expression that could use them: DynamoDB names the
// members of the operation that were missing.
std::string_view value_members(std::string_view operation) {
  if (operation == "UpdateItem") return "UpdateExpression and ConditionExpression are null";
  if (operation == "Query") return "FilterExpression and KeyConditionExpression are null";
  if (operation == "Scan") return "FilterExpression is null";
  return "ConditionExpression is null";
}

void check_unused(const std::optional<std::map<std::string, std::string>>& map,
                  const std::map<std::string, bool, std::less<>>& used, std::string_view member) {
  if (!map) return;
  std::vector<std::string> unused;
  for (const auto& entry : *map)
    if (!used.contains(entry.first)) unused.push_back(entry.first);
  if (!unused.empty())
    fail(fmt::format("Value provided in {} unused in expressions: keys: {}", member,
                     java_set(unused)));
}

// An update may not change the key attributes.
void check_key_untouched(const Compiled& update, const KeySchema& keys) {
  for (const Action& action : update.actions) {
    const std::string& name = update.paths[update.nodes[action.path].path][0].name;
    if (name == keys.partition.name || (keys.sort && name == keys.sort->name))
      fail(
          fmt::format("One or more parameter values were invalid: Cannot update attribute {}. This "
                      "attribute is part of the key",
                      name));
  }
}

}  // namespace

namespace detail {

KeyCondition key_condition(const Compiled& c, const KeySchema& keys) {
  // The conditions joined by AND, each on one key attribute.
  std::vector<std::uint32_t> conditions;
  std::vector<std::uint32_t> pending{c.root};
  while (!pending.empty()) {
    std::uint32_t n = pending.back();
    pending.pop_back();
    const Node& node = c.nodes[n];
    if (node.kind == Kind::all) {
      pending.insert(pending.end(), node.children.rbegin(), node.children.rend());
      continue;
    }
    std::string_view invalid;
    if (node.kind == Kind::any) invalid = "OR";
    if (node.kind == Kind::negate) invalid = "NOT";
    if (node.kind == Kind::in) invalid = "IN";
    if (node.kind == Kind::compare && node.op == Comparator::ne) invalid = "<>";
    if (node.kind == Kind::call && node.function != Function::begins_with) {
      static constexpr std::string_view kNames[] = {"",
                                                    "attribute_exists",
                                                    "attribute_not_exists",
                                                    "attribute_type",
                                                    "begins_with",
                                                    "contains",
                                                    "size",
                                                    "if_not_exists",
                                                    "list_append"};
      invalid = kNames[static_cast<int>(node.function)];
    }
    if (!invalid.empty())
      fail(fmt::format("Invalid operator used in KeyConditionExpression: {}", invalid));
    for (std::uint32_t child : node.children)
      if (c.nodes[child].kind == Kind::call)
        fail("KeyConditionExpressions cannot contain nested operations");
    conditions.push_back(n);
  }
  KeyCondition key;
  bool partition_seen = false, sort_seen = false;
  if (conditions.size() > 2)
    fail("KeyConditionExpressions must only contain one condition per key");
  // A condition without the partition key is refused before its values are looked at (a sort
  // key's value of the wrong type among them), when every condition names a plain attribute.
  bool plain_names = true, names_partition = false;
  for (std::uint32_t n : conditions) {
    bool found = false;
    for (std::uint32_t child : c.nodes[n].children) {
      if (c.nodes[child].kind != Kind::path) continue;
      const Path& path = c.paths[c.nodes[child].path];
      found = path.size() == 1 && !path[0].is_index;
      names_partition |= found && path[0].name == keys.partition.name;
    }
    plain_names &= found;
  }
  if (plain_names && !names_partition) fail("Query condition missed key schema element");
  for (std::uint32_t n : conditions) {
    const Node& node = c.nodes[n];
    // The key attribute's path, and the values, whichever side they are on.
    std::uint32_t attribute = node.children[0];
    Comparator op = node.op;
    if (node.kind == Kind::compare && c.nodes[attribute].kind != Kind::path) {
      attribute = node.children[1];
      static constexpr Comparator kFlipped[] = {Comparator::eq, Comparator::ne, Comparator::gt,
                                                Comparator::ge, Comparator::lt, Comparator::le};
      op = kFlipped[static_cast<int>(op)];
    }
    if (c.nodes[attribute].kind != Kind::path)
      fail("Invalid condition in KeyConditionExpression: No key attribute specified");
    const Path& path = c.paths[c.nodes[attribute].path];
    if (path.size() != 1 || path[0].is_index) {
      fail(
          fmt::format("Key attributes must be scalars; list random access '[]' and map lookup '.' "
                      "are not allowed: Key: {}",
                      path[0].name));
    }
    bool is_partition = path[0].name == keys.partition.name;
    bool is_sort = keys.sort && path[0].name == keys.sort->name;
    if (!is_partition && !is_sort) fail("Query condition missed key schema element");
    if ((is_partition && partition_seen) || (is_sort && sort_seen))
      fail("KeyConditionExpressions must only contain one condition per key");
    (is_partition ? partition_seen : sort_seen) = true;
    store::KeyType type = is_partition ? keys.partition.type : keys.sort->type;
    std::vector<std::string> values;
    for (std::uint32_t child : node.children) {
      if (child == attribute) continue;
      if (c.nodes[child].kind != Kind::value) fail("Query condition missed key schema element");
      const Document::Node& v = c.values.node(c.value_nodes[c.nodes[child].value]);
      Type wanted = type == store::KeyType::string   ? Type::string
                    : type == store::KeyType::number ? Type::number
                                                     : Type::binary;
      if (v.type != wanted)
        fail(
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
      if (wanted != Type::number && v.text.empty())
        fail(fmt::format("One or more parameter values are not valid. The AttributeValue for a key "
                         "attribute cannot contain an empty {} value. Key: {}",
                         wanted == Type::string ? "string" : "binary", path[0].name));
      // A key argument (table::append_key_argument): a binary value in base64.
      std::string& value = values.emplace_back();
      if (wanted == Type::binary) {
        lines::append_base64(value, v.text);
      } else {
        value = v.text;
      }
    }
    using SortKind = table::SortCondition::Kind;
    if (is_partition) {
      if (node.kind != Kind::compare || op != Comparator::eq)
        fail("Query key condition not supported");
      key.partition = values[0];
      continue;
    }
    key.sort.value = values[0];
    if (node.kind == Kind::between) {
      key.sort.kind = SortKind::between;
      key.sort.upper = values[1];
    } else if (node.kind == Kind::call) {
      key.sort.kind = SortKind::begins_with;
    } else {
      switch (op) {
        case Comparator::eq:
          key.sort.kind = SortKind::between;
          key.sort.upper = values[0];
          break;
        case Comparator::lt:
          key.sort.kind = SortKind::lt;
          break;
        case Comparator::le:
          key.sort.kind = SortKind::le;
          break;
        case Comparator::gt:
          key.sort.kind = SortKind::gt;
          break;
        case Comparator::ge:
          key.sort.kind = SortKind::ge;
          break;
        case Comparator::ne:
          break;  // refused above
      }
    }
  }
  if (!partition_seen) fail("Query condition missed key schema element");
  return key;
}

}  // namespace detail

Expressions compile(const Request& r, const KeySchema& keys) {
  check_substitutions(r.names, '#');
  check_substitutions(r.values, ':');
  check_mixing(r);
  bool any_expression = r.key_condition_expression || r.condition_expression ||
                        r.filter_expression || r.update_expression || r.projection_expression;
  if (r.names && !any_expression)
    fail("ExpressionAttributeNames can only be specified when using expressions");
  bool value_expression = r.key_condition_expression || r.condition_expression ||
                          r.filter_expression || r.update_expression;
  if (r.values && !value_expression)
    fail(fmt::format("ExpressionAttributeValues can only be specified when using expressions: {}",
                     value_members(r.operation)));
  if (r.conditional_operator && !r.expected && !r.query_filter && !r.scan_filter)
    fail("ConditionalOperator cannot be used without Filter or Expected");

  Substitutions substitutions;
  substitutions.names = r.names ? &*r.names : nullptr;
  substitutions.values = r.values ? &*r.values : nullptr;
  Expressions out;
  // In the order DynamoDB reports their errors.
  if (r.update_expression) {
    auto update = parse(ExpressionKind::update, *r.update_expression, substitutions);
    check_key_untouched(*update, keys);
    out.update = Compiled::wrap<Update>(std::move(update));
  }
  if (r.condition_expression)
    out.condition = Compiled::wrap<Condition>(
        parse(ExpressionKind::condition, *r.condition_expression, substitutions));
  if (r.filter_expression) {
    auto filter = parse(ExpressionKind::filter, *r.filter_expression, substitutions);
    if (r.key_condition_expression) {  // a Query's filter reads no key attribute
      for (const Path& path : filter->paths) {
        const std::string& name = path[0].name;
        if (name == keys.partition.name || (keys.sort && name == keys.sort->name))
          fail(
              fmt::format("Filter Expression can only contain non-primary key attributes: Primary "
                          "key attribute: {}",
                          name));
      }
    }
    out.filter = Compiled::wrap<Condition>(std::move(filter));
  }
  if (r.key_condition_expression)
    out.key = key_condition(
        *parse(ExpressionKind::key_condition, *r.key_condition_expression, substitutions), keys);
  if (r.projection_expression)
    out.projection = Compiled::wrap<Projection>(
        parse(ExpressionKind::projection, *r.projection_expression, substitutions));
  check_unused(r.names, substitutions.used_names, "ExpressionAttributeNames");
  check_unused(r.values, substitutions.used_values, "ExpressionAttributeValues");

  // The older forms.
  if (r.expected)
    out.condition = Compiled::wrap<Condition>(
        translate_conditions("Expected", *r.expected, r.conditional_operator));
  if (r.query_filter)
    out.filter = Compiled::wrap<Condition>(
        translate_conditions("QueryFilter", *r.query_filter, r.conditional_operator));
  if (r.scan_filter)
    out.filter = Compiled::wrap<Condition>(
        translate_conditions("ScanFilter", *r.scan_filter, r.conditional_operator));
  if (r.key_conditions) out.key = translate_key_conditions(*r.key_conditions, keys);
  if (r.attribute_updates) {
    auto update = translate_attribute_updates(*r.attribute_updates);
    check_key_untouched(*update, keys);
    out.update = Compiled::wrap<Update>(std::move(update));
  }
  if (r.attributes_to_get)
    out.projection = Compiled::wrap<Projection>(translate_attributes_to_get(*r.attributes_to_get));
  return out;
}

}  // namespace millrace::expr::dynamo
