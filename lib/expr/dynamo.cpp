// DynamoDB's expressions: a request's compilation, conditions evaluated, items projected, and
// key conditions made into what table::query() takes.
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

// Evaluation.

// An operand: a node of the item or of the values, a computed number (size), or absent.
struct Operand {
  const Document* doc = nullptr;
  std::uint32_t node = Document::kNone;
  std::optional<Scalar> computed;

  bool present() const { return computed || node != Document::kNone; }
  Type type() const {
    return computed                  ? computed->type
           : node == Document::kNone ? Type::missing
                                     : doc->node(node).type;
  }
  Scalar scalar() const { return computed ? *computed : doc->scalar(node); }
};

// The length of a string as DynamoDB's size() counts it: in UTF-16 code units, as Java does
// (a character beyond the Basic Multilingual Plane counts 2).
std::int64_t utf16_length(std::string_view s) {
  std::int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // a character starts
    if ((c & 0xF8) == 0xF0) ++n;  // a 4-byte one is a surrogate pair
  }
  return n;
}

class Evaluator {
 public:
  Evaluator(const Compiled& c, const Document* item)
      : c_(c), item_(item && !item->empty() ? item : nullptr) {}

  bool holds(std::uint32_t n) const {
    const Node& node = c_.nodes[n];
    switch (node.kind) {
      case Kind::all:
        return std::all_of(node.children.begin(), node.children.end(),
                           [&](std::uint32_t c) { return holds(c); });
      case Kind::any:
        return std::any_of(node.children.begin(), node.children.end(),
                           [&](std::uint32_t c) { return holds(c); });
      case Kind::negate:
        return !holds(node.children[0]);
      case Kind::compare: {
        Operand a = operand(node.children[0]), b = operand(node.children[1]);
        switch (node.op) {
          case Comparator::eq:
            return equals(a, b);
          case Comparator::ne:
            return !equals(a, b);
          case Comparator::lt:
            return ordered(a, b, [](int c) { return c < 0; });
          case Comparator::le:
            return ordered(a, b, [](int c) { return c <= 0; });
          case Comparator::gt:
            return ordered(a, b, [](int c) { return c > 0; });
          case Comparator::ge:
            return ordered(a, b, [](int c) { return c >= 0; });
        }
        return false;
      }
      case Kind::between: {
        Operand a = operand(node.children[0]);
        return ordered(a, operand(node.children[1]), [](int c) { return c >= 0; }) &&
               ordered(a, operand(node.children[2]), [](int c) { return c <= 0; });
      }
      case Kind::in: {
        Operand a = operand(node.children[0]);
        for (std::size_t i = 1; i < node.children.size(); ++i)
          if (equals(a, operand(node.children[i]))) return true;
        return false;
      }
      case Kind::call:
        return function(node);
      default:
        return false;
    }
  }

  Operand operand(std::uint32_t n) const {
    const Node& node = c_.nodes[n];
    if (node.kind == Kind::value) return {&c_.values, c_.value_nodes[node.value], std::nullopt};
    if (node.kind == Kind::path) return {item_, find(c_.paths[node.path]), std::nullopt};
    // size(): the only function that is an operand in a condition.
    Operand of = operand(node.children[0]);
    std::optional<std::int64_t> size;
    switch (of.type()) {
      case Type::string:
        size = utf16_length(of.scalar().bytes);
        break;
      case Type::binary:
        size = static_cast<std::int64_t>(of.scalar().bytes.size());
        break;
      case Type::string_set:
      case Type::number_set:
      case Type::binary_set:
      case Type::list:
      case Type::map:
        size = of.doc->count_children(of.node);
        break;
      default:
        break;
    }
    Operand result;
    if (size) {
      Scalar s;
      s.type = Type::number;
      s.number = Number::of_int64(*size);
      result.computed = s;
    }
    return result;
  }

 private:
  std::uint32_t find(const Path& path) const {
    if (!item_ || item_->node(0).type != Type::map) return Document::kNone;
    std::uint32_t at = 0;
    for (const PathElement& e : path) {
      at = e.is_index ? item_->element(at, e.index) : item_->member(at, e.name);
      if (at == Document::kNone) break;
    }
    return at;
  }

  static bool equals(const Operand& a, const Operand& b) {
    if (!a.present() || !b.present()) return false;
    if (a.computed || b.computed) return equal_scalars(a.scalar(), b.scalar());
    return equal(*a.doc, a.node, *b.doc, b.node);
  }

  // < and the like: numbers, strings and binary values of one type.
  template <class Accept>
  static bool ordered(const Operand& a, const Operand& b, Accept accept) {
    Type t = a.type();
    if (t != b.type() || (t != Type::number && t != Type::string && t != Type::binary))
      return false;
    std::optional<int> c = order(a.scalar(), b.scalar());
    return c && accept(*c);
  }

  bool function(const Node& node) const {
    Operand a = operand(node.children[0]);
    switch (node.function) {
      case Function::attribute_exists:
        return a.present();
      case Function::attribute_not_exists:
        return !a.present();
      case Function::attribute_type: {
        Operand t = operand(node.children[1]);
        return a.present() && t.type() == Type::string && type_name(a.type()) == t.scalar().bytes;
      }
      case Function::begins_with: {
        Operand b = operand(node.children[1]);
        Type t = a.type();
        return (t == Type::string || t == Type::binary) && b.type() == t &&
               a.scalar().bytes.starts_with(b.scalar().bytes);
      }
      case Function::contains:
        return contains(a, operand(node.children[1]));
      default:
        return false;
    }
  }

  static bool contains(const Operand& a, const Operand& b) {
    if (!a.present() || !b.present()) return false;
    Type t = a.type();
    if ((t == Type::string || t == Type::binary) && b.type() == t)
      return a.scalar().bytes.find(b.scalar().bytes) != std::string_view::npos;
    if (t == Type::list) {
      for (std::uint32_t e = a.doc->first_child(a.node); e < a.doc->node(a.node).end;
           e = a.doc->node(e).end)
        if (equals({a.doc, e, std::nullopt}, b)) return true;
      return false;
    }
    Type element = t == Type::string_set   ? Type::string
                   : t == Type::number_set ? Type::number
                   : t == Type::binary_set ? Type::binary
                                           : Type::missing;
    if (element == Type::missing || b.type() != element) return false;
    for (std::uint32_t e = a.doc->first_child(a.node); e < a.doc->node(a.node).end;
         e = a.doc->node(e).end)
      if (equal_scalars(a.doc->scalar(e), b.scalar())) return true;
    return false;
  }

  const Compiled& c_;
  const Document* item_;
};

// Projection: the paths that reach a node, and how far along each one is.
struct Reach {
  const Path* path;
  std::size_t depth;
};

bool project(const Document& item, std::uint32_t node, const std::vector<Reach>& reaches,
             std::string& out) {
  for (const Reach& r : reaches) {
    if (r.depth == r.path->size()) {  // the whole node (paths do not overlap: the only one)
      item.append_json(node, out);
      return true;
    }
  }
  const Document::Node& n = item.node(node);
  if (n.type != Type::map && n.type != Type::list) return false;
  bool map = n.type == Type::map;
  std::size_t start = out.size();
  out.push_back(map ? '{' : '[');
  bool any = false;
  std::uint64_t index = 0;
  for (std::uint32_t c = node + 1; c < n.end; c = item.node(c).end, ++index) {
    std::vector<Reach> next;
    for (const Reach& r : reaches) {
      const PathElement& e = (*r.path)[r.depth];
      if (map ? !e.is_index && e.name == item.node(c).key : e.is_index && e.index == index)
        next.push_back({r.path, r.depth + 1});
    }
    if (next.empty()) continue;
    std::size_t before = out.size();
    if (any) out.push_back(',');
    if (map) {
      lines::append_json_string(out, item.node(c).key);
      out.push_back(':');
    }
    if (project(item, c, next, out)) {
      any = true;
    } else {
      out.resize(before);
    }
  }
  if (!any) {
    out.resize(start);
    return false;
  }
  out.push_back(map ? '}' : ']');
  return true;
}

}  // namespace

bool Condition::matches(const Document* item) const {
  return Evaluator(*compiled_, item).holds(compiled_->root);
}

Projection Update::paths() const {
  auto paths = std::make_shared<Compiled>();
  paths->nodes = compiled_->nodes;
  paths->paths = compiled_->paths;
  for (const Action& action : compiled_->actions) paths->project.push_back(action.path);
  return Compiled::wrap<Projection>(std::move(paths));
}

void Projection::apply(const Document& item, std::string& out) const {
  std::vector<Reach> reaches;
  for (std::uint32_t p : compiled_->project)
    reaches.push_back({&compiled_->paths[compiled_->nodes[p].path], 0});
  if (item.empty() || !project(item, 0, reaches, out)) out.append("{}");
}

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
