#include "aws/dynamodb_expression.h"

#include <fmt/format.h>

#include <cmath>

#include "lines/json.h"

namespace millrace::aws {

std::string ExpressionAttributes::name(std::string_view name) {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return fmt::format("#n{}", i);
  names_.emplace_back(name);
  return fmt::format("#n{}", names_.size() - 1);
}

std::string ExpressionAttributes::value(std::string_view typed) {
  std::string placeholder = fmt::format(":v{}", value_count_++);
  if (!values_.empty()) values_.push_back(',');
  values_.append("\"").append(placeholder).append("\":").append(typed);
  return placeholder;
}

void ExpressionAttributes::append_members(std::string& out) const {
  if (!names_.empty()) {
    out.append(",\"ExpressionAttributeNames\":{");
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(fmt::format("\"#n{}\":", i));
      lines::append_json_string(out, names_[i]);
    }
    out.push_back('}');
  }
  if (!values_.empty()) out.append(",\"ExpressionAttributeValues\":{").append(values_).push_back('}');
}

void append_update_expression(std::string& out, const UpdateParts& parts, ExpressionAttributes& attributes) {
  std::string set, add, remove;
  for (const UpdateParts::Assignment& a : parts.assignments) {
    std::string& clause = a.add ? add : set;
    clause.append(clause.empty() ? "" : ", ").append(attributes.name(a.name));
    clause.append(a.add ? " " : " = ").append(attributes.value(a.typed));
  }
  for (const std::string& name : parts.remove) remove.append(remove.empty() ? "" : ", ").append(attributes.name(name));
  auto clause = [&](std::string_view keyword, const std::string& text) {
    if (text.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(keyword).append(" ").append(text);
  };
  clause("SET", set);
  clause("ADD", add);
  clause("REMOVE", remove);
}

}  // namespace millrace::aws

namespace millrace::expr {

// Condition's parts are its own: this friend reads them (expr/condition.h).
class DynamoTranslator {
 public:
  DynamoTranslator(const Condition& c, aws::ExpressionAttributes& attributes) : c_(c), attributes_(attributes) {}

  std::optional<std::string> translate(std::string& out) { return node(c_.root_, out); }

 private:
  std::optional<std::string> node(std::uint32_t index, std::string& out) {
    const Condition::Node& n = c_.nodes_[index];
    switch (n.op) {
      case Op::any:
      case Op::all: {
        out.push_back('(');
        for (std::uint32_t i = n.a; i < n.a + n.b; ++i) {
          if (i > n.a) out.append(n.op == Op::any ? " OR " : " AND ");
          if (auto problem = node(c_.children_[i], out)) return problem;
        }
        out.push_back(')');
        return std::nullopt;
      }
      case Op::negate:
        out.append("(NOT ");
        if (auto problem = node(n.a, out)) return problem;
        out.push_back(')');
        return std::nullopt;
      case Op::constant: constant(n.a != 0, out); return std::nullopt;
      case Op::is_null:
      case Op::is_not_null: {
        if (!n.lhs.is_field) {
          constant(literal_is_null(n.lhs) == (n.op == Op::is_null), out);
          return std::nullopt;
        }
        return null_test(n.lhs, n.op == Op::is_null, out);
      }
      case Op::truthy: {
        if (!n.lhs.is_field) return std::string("a value by itself is not a condition");
        std::string path;
        if (auto problem = field(n.lhs, path)) return problem;
        out.append(path).append(" = ").append(attributes_.value("{\"BOOL\":true}"));
        return std::nullopt;
      }
      case Op::in:
      case Op::not_in: {
        out.append(n.op == Op::in ? "(" : "(NOT (");
        for (std::uint32_t i = n.a; i < n.a + n.b; ++i) {
          if (i > n.a) out.append(" OR ");
          if (auto problem = compare(Op::eq, n.lhs, c_.list_[i], out)) return problem;
        }
        out.append(n.op == Op::in ? ")" : "))");
        return std::nullopt;
      }
      default: return compare(n.op, n.lhs, n.rhs, out);
    }
  }

  using Op = Condition::Op;
  using Operand = Condition::Operand;
  using Literal = Condition::Literal;

  // An expression that always holds, or never: DynamoDB's language has no true or false.
  void constant(bool holds, std::string& out) {
    std::string name = attributes_.name("c");
    out.append(holds ? "(attribute_exists(" : "(NOT (attribute_exists(").append(name);
    out.append(") OR attribute_not_exists(").append(name).append(holds ? "))" : ")))");
  }

  bool literal_is_null(Operand operand) const { return c_.literals_[operand.index].kind == Condition::Kind::null; }

  std::optional<std::string> null_test(Operand f, bool is_null, std::string& out) {
    std::string path;
    if (auto problem = field(f, path)) return problem;
    std::string null_type = attributes_.value("{\"S\":\"NULL\"}");
    if (is_null)
      out.append("(attribute_not_exists(").append(path).append(") OR attribute_type(").append(path);
    else
      out.append("(attribute_exists(").append(path).append(") AND NOT attribute_type(").append(path);
    out.append(", ").append(null_type).append("))");
    return std::nullopt;
  }

  std::optional<std::string> compare(Op op, Operand lhs, Operand rhs, std::string& out) {
    if (lhs.is_field && rhs.is_field)
      return std::string("it compares two attributes (null, binary values and sets compare otherwise there)");
    if (!lhs.is_field && !rhs.is_field) {  // two constants: the local evaluation decides
      simdjson::dom::parser parser;
      simdjson::dom::element empty;
      if (parser.parse(std::string_view("{}")).get(empty)) return std::string("internal: cannot parse {}");
      Condition::Node n;
      n.op = op, n.lhs = lhs, n.rhs = rhs;
      constant(holds_constant(n, empty), out);
      return std::nullopt;
    }
    if (!lhs.is_field) {  // V < f is f > V
      std::swap(lhs, rhs);
      if (op == Op::lt) op = Op::gt;
      else if (op == Op::le) op = Op::ge;
      else if (op == Op::gt) op = Op::lt;
      else if (op == Op::ge) op = Op::le;
    }
    const Literal& literal = c_.literals_[rhs.index];
    bool ordering = op != Op::eq && op != Op::ne;
    if (literal.kind == Condition::Kind::null) {
      if (ordering) {  // null does not order: never
        constant(false, out);
        return std::nullopt;
      }
      return null_test(lhs, op == Op::eq, out);
    }
    if (literal.kind == Condition::Kind::boolean && ordering)
      return std::string("it orders booleans, which DynamoDB does not");
    std::string typed;
    if (auto problem = typed_literal(literal, typed)) return problem;
    std::string path;
    if (auto problem = field(lhs, path)) return problem;
    static constexpr std::string_view kOperators[] = {"=", "<>", "<", "<=", ">", ">="};
    out.append(path).append(" ").append(kOperators[static_cast<int>(op) - static_cast<int>(Op::eq)]).append(" ");
    out.append(attributes_.value(typed));
    return std::nullopt;
  }

  bool holds_constant(const Condition::Node& n, simdjson::dom::element empty) const {
    Condition copy = c_;
    copy.nodes_.push_back(n);
    return copy.eval(static_cast<std::uint32_t>(copy.nodes_.size() - 1), empty);
  }

  std::optional<std::string> typed_literal(const Literal& literal, std::string& typed) const {
    switch (literal.kind) {
      case Condition::Kind::boolean: typed = literal.boolean ? "{\"BOOL\":true}" : "{\"BOOL\":false}"; return std::nullopt;
      case Condition::Kind::int64: typed = fmt::format("{{\"N\":\"{}\"}}", literal.int64); return std::nullopt;
      case Condition::Kind::uint64: typed = fmt::format("{{\"N\":\"{}\"}}", literal.uint64); return std::nullopt;
      case Condition::Kind::float64: {
        double magnitude = std::fabs(literal.float64);
        if (magnitude != 0 && (magnitude < 1e-130 || magnitude >= 1e126))
          return fmt::format("the number {} is beyond DynamoDB's range", literal.float64);
        typed = fmt::format("{{\"N\":\"{}\"}}", literal.float64);
        return std::nullopt;
      }
      case Condition::Kind::string:
        typed = "{\"S\":";
        lines::append_json_string(typed, std::string_view(c_.strings_.data() + literal.offset, literal.size));
        typed.push_back('}');
        return std::nullopt;
      default: return std::string("it compares a value DynamoDB has no literal for");
    }
  }

  std::optional<std::string> field(Operand operand, std::string& path) {
    const Condition::Path& p = c_.paths_[operand.index];
    if (p.count == 0) return std::string("it reads the whole item as a value");
    for (std::uint32_t i = p.first; i < p.first + p.count; ++i) {
      const Condition::Step& step = c_.steps_[i];
      if (step.index != Condition::Step::kNoIndex)
        return fmt::format("the pointer {} has a step that is a number (an array index or a member name, "
                           "whichever the item has)",
                           c_.fields_[operand.index].spec());
      if (i > p.first) path.push_back('.');
      path.append(attributes_.name(std::string_view(c_.strings_.data() + step.offset, step.size)));
    }
    return std::nullopt;
  }

  const Condition& c_;
  aws::ExpressionAttributes& attributes_;
};

}  // namespace millrace::expr

namespace millrace::aws {

std::optional<std::string> append_condition_expression(std::string& out, const expr::Condition& condition,
                                                       ExpressionAttributes& attributes) {
  return expr::DynamoTranslator(condition, attributes).translate(out);
}

}  // namespace millrace::aws
