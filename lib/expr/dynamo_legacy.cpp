// The older parameters — Expected, QueryFilter, ScanFilter (with ConditionalOperator),
// KeyConditions, AttributeUpdates, AttributesToGet — translated into the trees that the
// expressions compile to, so that one evaluation serves both. Their names are attribute names
// as they are (a.b is the attribute named "a.b"), their values plain JSON.
#include <fmt/format.h>

#include <algorithm>

#include "expr/dynamo_tree.h"

namespace millrace::expr::dynamo::detail {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

[[noreturn]] void fail(const std::string& message) { throw ValidationError(message); }

// A Compiled being built by hand.
class Builder {
 public:
  Builder() : out_(std::make_shared<Compiled>()) {}

  std::uint32_t path(std::string_view name) {
    PathElement e;
    e.name = name;
    out_->paths.push_back({e});
    Node n;
    n.kind = Kind::path;
    n.path = static_cast<std::uint32_t>(out_->paths.size() - 1);
    return add(std::move(n));
  }
  std::uint32_t value(const Document& doc, std::uint32_t node) {
    std::string json;
    doc.append_json(node, json);
    texts_.push_back(std::move(json));
    Node n;
    n.kind = Kind::value;
    n.value = static_cast<std::uint32_t>(texts_.size() - 1);
    return add(std::move(n));
  }
  std::uint32_t make(Kind kind, std::vector<std::uint32_t> children,
                     Comparator op = Comparator::eq) {
    Node n;
    n.kind = kind;
    n.op = op;
    n.children = std::move(children);
    return add(std::move(n));
  }
  std::uint32_t call(Function f, std::vector<std::uint32_t> children) {
    std::uint32_t n = make(Kind::call, std::move(children));
    out_->nodes[n].function = f;
    return n;
  }
  Compiled& compiled() { return *out_; }
  std::shared_ptr<Compiled> finish() {
    if (!set_values(*out_, texts_)) fail("ExpressionAttributeValues contains invalid value");
    return std::move(out_);
  }

 private:
  std::uint32_t add(Node n) {
    out_->nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(out_->nodes.size() - 1);
  }
  std::shared_ptr<Compiled> out_;
  std::vector<std::string> texts_;
};

// The members of the parameter's object, each a name and its node.
std::vector<std::pair<std::string, std::uint32_t>> members(const Document& doc,
                                                           std::string_view member) {
  if (doc.empty() || doc.node(0).type != Type::map)
    fail(fmt::format("{}{} must be an object", kInvalid, member));
  std::vector<std::pair<std::string, std::uint32_t>> out;
  for (std::uint32_t c = 1; c < doc.node(0).end; c = doc.node(c).end)
    out.emplace_back(std::string(doc.node(c).key), c);
  return out;
}

std::string_view text_member(const Document& doc, std::uint32_t map, std::string_view name) {
  std::uint32_t m = doc.member(map, name);
  return m == Document::kNone ? std::string_view() : doc.node(m).text;
}

// The name of a type in DynamoDB's messages about AttributeUpdates: its Java enum's.
std::string_view java_type_name(Type t) {
  switch (t) {
    case Type::string: return "STRING";
    case Type::number: return "NUMBER";
    case Type::binary: return "BINARY";
    case Type::boolean: return "BOOLEAN";
    case Type::list: return "LIST";
    case Type::map: return "MAP";
    default: return type_name(t);  // NULL (a set is never refused)
  }
}

bool is_scalar_key_type(Type t) {
  return t == Type::string || t == Type::number || t == Type::binary;
}

// One condition of Expected, QueryFilter or ScanFilter on attribute `name`.
std::uint32_t condition(Builder& b, const Document& doc, std::uint32_t spec,
                        const std::string& name) {
  std::uint32_t value = doc.member(spec, "Value");
  std::uint32_t list = doc.member(spec, "AttributeValueList");
  std::uint32_t exists = doc.member(spec, "Exists");
  std::string_view op = text_member(doc, spec, "ComparisonOperator");
  if (value != Document::kNone && list != Document::kNone)
    fail(fmt::format("{}Value and AttributeValueList cannot be used together for Attribute: {}",
                     kInvalid, name));
  if (exists != Document::kNone && !op.empty())
    fail(fmt::format("{}Exists and ComparisonOperator cannot be used together for Attribute: {}",
                     kInvalid, name));
  if (op.empty()) {  // Value and Exists
    bool must_exist = exists == Document::kNone || doc.node(exists).boolean;
    if (!must_exist) {
      if (value != Document::kNone)
        fail(fmt::format("{}Value cannot be used when Exists is false for Attribute: {}", kInvalid,
                         name));
      return b.call(Function::attribute_not_exists, {b.path(name)});
    }
    if (value == Document::kNone)
      fail(fmt::format("{}Value must be provided when Exists is {} for Attribute: {}", kInvalid,
                       exists == Document::kNone ? "null" : "true", name));
    return b.make(Kind::compare, {b.path(name), b.value(doc, value)});
  }
  std::vector<std::uint32_t> arguments;
  if (list != Document::kNone && doc.node(list).type == Type::list) {
    for (std::uint32_t c = list + 1; c < doc.node(list).end; c = doc.node(c).end)
      arguments.push_back(c);
  } else if (value != Document::kNone) {
    arguments.push_back(value);
  }
  struct Operator {
    std::string_view name;
    std::size_t arguments;  // 0, 1, 2; 3 for "one or more"
    bool scalar_only;       // its values are strings, numbers or binary
  };
  static constexpr Operator kOperators[] = {
      {"EQ", 1, false},          {"NE", 1, false},         {"LE", 1, true},
      {"LT", 1, true},           {"GE", 1, true},          {"GT", 1, true},
      {"NOT_NULL", 0, false},    {"NULL", 0, false},       {"CONTAINS", 1, true},
      {"NOT_CONTAINS", 1, true}, {"BEGINS_WITH", 1, true}, {"IN", 3, true},
      {"BETWEEN", 2, true}};
  const Operator* found = nullptr;
  for (const Operator& o : kOperators)
    if (o.name == op) found = &o;
  if (!found) fail("Comparison type does not exist in DynamoDB");
  if (found->arguments > 0 && arguments.empty() && list == Document::kNone)
    fail(fmt::format(
        "{}Value or AttributeValueList must be used with ComparisonOperator: {} for Attribute: {}",
        kInvalid, op, name));
  bool count_ok = found->arguments == 3 ? !arguments.empty() : arguments.size() == found->arguments;
  if (!count_ok)
    fail(
        fmt::format("{}Invalid number of argument(s) for the {} ComparisonOperator", kInvalid, op));
  for (std::uint32_t a : arguments) {
    Type t = doc.node(a).type;
    bool ok = found->scalar_only ? is_scalar_key_type(t) : true;
    if (op == "BEGINS_WITH") ok = t == Type::string || t == Type::binary;
    if (!ok)
      fail(fmt::format("{}ComparisonOperator {} is not valid for {} AttributeValue type", kInvalid,
                       op, type_name(t)));
  }
  for (std::uint32_t a : arguments)
    if (doc.node(a).type != doc.node(arguments[0]).type)
      fail(fmt::format("{}AttributeValues inside AttributeValueList must be of same type",
                       kInvalid));
  if (op == "BETWEEN") {
    if (order(doc.scalar(arguments[0]), doc.scalar(arguments[1])).value_or(0) > 0)
      fail(
          "The BETWEEN condition was provided a range where the lower bound is greater than the "
          "upper bound");
  }
  auto compare = [&](Comparator c) {
    return b.make(Kind::compare, {b.path(name), b.value(doc, arguments[0])}, c);
  };
  if (op == "EQ") return compare(Comparator::eq);
  if (op == "NE") return compare(Comparator::ne);
  if (op == "LE") return compare(Comparator::le);
  if (op == "LT") return compare(Comparator::lt);
  if (op == "GE") return compare(Comparator::ge);
  if (op == "GT") return compare(Comparator::gt);
  if (op == "NOT_NULL") return b.call(Function::attribute_exists, {b.path(name)});
  if (op == "NULL") return b.call(Function::attribute_not_exists, {b.path(name)});
  if (op == "CONTAINS")
    return b.call(Function::contains, {b.path(name), b.value(doc, arguments[0])});
  if (op == "NOT_CONTAINS") {  // false for a missing attribute, as DynamoDB has it
    std::uint32_t contains = b.call(Function::contains, {b.path(name), b.value(doc, arguments[0])});
    return b.make(Kind::all, {b.call(Function::attribute_exists, {b.path(name)}),
                              b.make(Kind::negate, {contains})});
  }
  if (op == "BEGINS_WITH")
    return b.call(Function::begins_with, {b.path(name), b.value(doc, arguments[0])});
  std::vector<std::uint32_t> children{b.path(name)};
  for (std::uint32_t a : arguments) children.push_back(b.value(doc, a));
  return b.make(op == "IN" ? Kind::in : Kind::between, std::move(children));
}

}  // namespace

std::shared_ptr<Compiled> translate_conditions(
    std::string_view member, std::string_view json,
    std::optional<std::string_view> conditional_operator) {
  Document doc;
  doc.parse(json);
  auto conditions = members(doc, member);
  if (conditional_operator && conditions.size() < 2)
    fail("ConditionalOperator can only be used when Filter or Expected has two or more elements");
  Builder b;
  std::vector<std::uint32_t> terms;
  for (const auto& [name, spec] : conditions) terms.push_back(condition(b, doc, spec, name));
  bool any = conditional_operator && *conditional_operator == "OR";
  // No condition at all (an empty Expected) always holds.
  b.compiled().root = terms.size() == 1 ? terms[0] : b.make(any ? Kind::any : Kind::all, terms);
  return b.finish();
}

KeyCondition translate_key_conditions(std::string_view json, const KeySchema& keys) {
  Document doc;
  doc.parse(json);
  Builder b;
  std::vector<std::uint32_t> terms;
  for (const auto& [name, spec] : members(doc, "KeyConditions")) {
    std::string_view op = text_member(doc, spec, "ComparisonOperator");
    for (std::string_view indexable : {"EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"})
      if (op == indexable) op = {};
    if (!op.empty()) fail("Attempted conditional constraint is not an indexable operation");
    terms.push_back(condition(b, doc, spec, name));
  }
  if (terms.empty()) fail("Query condition missed key schema element");
  b.compiled().root = terms.size() == 1 ? terms[0] : b.make(Kind::all, terms);
  return key_condition(*b.finish(), keys);
}

std::shared_ptr<Compiled> translate_attribute_updates(std::string_view json) {
  Document doc;
  doc.parse(json);
  Builder b;
  for (const auto& [name, spec] : members(doc, "AttributeUpdates")) {
    std::string_view action = text_member(doc, spec, "Action");
    std::uint32_t value = doc.member(spec, "Value");
    Action a;
    a.path = b.path(name);
    if (action.empty() || action == "PUT") {
      a.clause = Action::Clause::set;
    } else if (action == "ADD") {
      a.clause = Action::Clause::add;
    } else {
      a.clause =
          value == Document::kNone ? Action::Clause::remove : Action::Clause::remove_from_set;
    }
    if (a.clause != Action::Clause::remove) {
      if (value == Document::kNone)
        fail(fmt::format("{}Only DELETE action is allowed when no attribute value is specified",
                         kInvalid));
      Type t = doc.node(value).type;
      bool set = t == Type::string_set || t == Type::number_set || t == Type::binary_set;
      if ((a.clause == Action::Clause::add && !set && t != Type::number) ||
          (a.clause == Action::Clause::remove_from_set && !set))
        fail(fmt::format("{}{} action {}is not supported for the type {}", kInvalid,
                         a.clause == Action::Clause::add ? "ADD" : "DELETE",
                         a.clause == Action::Clause::add ? "" : "with value ", java_type_name(t)));
      a.value = b.value(doc, value);
    }
    b.compiled().actions.push_back(a);
  }
  return b.finish();
}

std::shared_ptr<Compiled> translate_attributes_to_get(std::string_view json) {
  Document doc;
  doc.parse(json);
  Builder b;
  std::vector<std::string_view> names;
  if (!doc.empty() && doc.node(0).type == Type::list) {
    for (std::uint32_t c = 1; c < doc.node(0).end; c = doc.node(c).end) {
      std::string_view name = doc.node(c).text;
      if (std::find(names.begin(), names.end(), name) != names.end())
        fail("Cannot have two attributes with the same name");
      names.push_back(name);
      b.compiled().project.push_back(b.path(name));
    }
  }
  return b.finish();
}

}  // namespace millrace::expr::dynamo::detail
