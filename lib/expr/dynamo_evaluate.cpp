// DynamoDB's expressions evaluated: a condition on an item, and the projection of an item.
#include <algorithm>

#include "expr/dynamo.h"
#include "expr/dynamo_tree.h"
#include "lines/json.h"

namespace millrace::expr::dynamo {
namespace {

using namespace detail;

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

void Projection::apply(const Document& item, std::string& out) const {
  std::vector<Reach> reaches;
  for (std::uint32_t p : compiled_->project)
    reaches.push_back({&compiled_->paths[compiled_->nodes[p].path], 0});
  if (item.empty() || !project(item, 0, reaches, out)) out.append("{}");
}

}  // namespace millrace::expr::dynamo
