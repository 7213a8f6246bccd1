// UpdateExpression (and AttributeUpdates) applied to an item.
//
// As DynamoDB does: every SET value is computed from the item as it was (SET a = b, b = a swaps
// them), then the actions are applied. A list index names an element of the list as it was:
// SET beyond the end appends (in the order of the indexes), REMOVE takes out the elements named
// after every SET is done. A path's parents must exist, and be a map for a name and a list for
// an index. The new item shares the stored item's untouched values, which are written again as
// they were read (numbers with their text).
#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "store/decimal.h"
#include "expr/dynamo_tree.h"
#include "lines/json.h"

namespace millrace::expr::dynamo {
namespace {

using namespace detail;

constexpr std::string_view kMissingOperand =
    "The provided expression refers to an attribute that does not exist in the item";
constexpr std::string_view kWrongType =
    "An operand in the update expression has an incorrect data type";
constexpr std::string_view kInvalidPath =
    "The document path provided in the update expression is invalid for update";

[[noreturn]] void fail(std::string_view message) { throw ValidationError(std::string(message)); }

bool is_set(Type t) {
  return t == Type::string_set || t == Type::number_set || t == Type::binary_set;
}

struct Ref {
  const Document* doc = nullptr;
  std::uint32_t node = Document::kNone;

  bool present() const { return node != Document::kNone; }
  const Document::Node& get() const { return doc->node(node); }
};

// A value of the new item: a value read (from the item, the values, or computed), or a map or
// list being changed.
struct Edit {
  enum class Kind : std::uint8_t { ref, map, list } kind = Kind::ref;
  Ref ref;
  // A map's members, a list's elements. (Parallel vectors: a vector of pairs would need Edit
  // complete here.)
  std::vector<std::string> names;          // map
  std::vector<Edit> values;                // map: the members' values; list: the elements it had
  std::vector<bool> removed;               // list: of its elements, the ones removed
  std::vector<std::uint64_t> appended_at;  // list: SET beyond the end, at these indexes…
  std::vector<Edit> appended;              // …these values

  static Edit of(Ref r) {
    Edit e;
    e.ref = r;
    return e;
  }

  // Makes a map or list read from the item into one that can change; false for other values.
  bool open() {
    if (kind != Kind::ref) return true;
    if (!ref.present()) return false;
    Type t = ref.get().type;
    if (t != Type::map && t != Type::list) return false;
    kind = t == Type::map ? Kind::map : Kind::list;
    for (std::uint32_t c = ref.node + 1; c < ref.get().end; c = ref.doc->node(c).end) {
      if (kind == Kind::map) names.emplace_back(ref.doc->node(c).key);
      values.push_back(of({ref.doc, c}));
    }
    removed.assign(kind == Kind::list ? values.size() : 0, false);
    return true;
  }

  Edit* member(std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return &values[i];
    return nullptr;
  }

  void write(std::string& out) const {
    if (kind == Kind::ref) return ref.doc->append_json(ref.node, out);
    bool first = true;
    auto comma = [&] {
      if (!first) out.push_back(',');
      first = false;
    };
    if (kind == Kind::map) {
      out.push_back('{');
      for (std::size_t i = 0; i < names.size(); ++i) {
        comma();
        lines::append_json_string(out, names[i]);
        out.push_back(':');
        values[i].write(out);
      }
      out.push_back('}');
      return;
    }
    out.push_back('[');
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!removed[i]) comma(), values[i].write(out);
    std::vector<std::size_t> tail(appended.size());
    for (std::size_t i = 0; i < tail.size(); ++i) tail[i] = i;
    std::stable_sort(tail.begin(), tail.end(),
                     [&](std::size_t a, std::size_t b) { return appended_at[a] < appended_at[b]; });
    for (std::size_t i : tail) comma(), appended[i].write(out);
    out.push_back(']');
  }
};

// Appends a set's JSON, {"$SS":[...]}, of the elements `elements` of set type `type`.
void append_set(std::string& out, Type type, const std::vector<Ref>& elements) {
  out.append("{\"$").append(type_name(type)).append("\":[");
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.push_back(',');
    const Document::Node& e = elements[i].get();
    if (type == Type::binary_set) {
      out.push_back('"');
      lines::append_base64(out, e.text);
      out.push_back('"');
    } else {
      elements[i].doc->append_json(elements[i].node, out);
    }
  }
  out.append("]}");
}

std::vector<Ref> set_elements(Ref set) {
  std::vector<Ref> out;
  for (std::uint32_t c = set.doc->first_child(set.node); c < set.get().end;
       c = set.doc->node(c).end)
    out.push_back({set.doc, c});
  return out;
}

bool set_contains(const std::vector<Ref>& set, Ref element) {
  return std::any_of(set.begin(), set.end(), [&](Ref e) {
    return equal_scalars(e.doc->scalar(e.node), element.doc->scalar(element.node));
  });
}

class Applier {
 public:
  Applier(const Compiled& c, const Document* stored) : c_(c), stored_(stored) {}

  std::string run(std::string_view key_json) {
    Ref base{stored_, 0};
    if (!stored_ || stored_->empty()) {
      Document& key = scratch_.emplace_back();
      if (!key.parse(key_json)) fail("The provided key element does not match the schema");
      base = {&key, 0};
    }
    Edit item = Edit::of(base);
    if (!item.open() || item.kind != Edit::Kind::map) fail(kInvalidPath);
    // The values first, all from the item as it was.
    std::vector<Ref> values;
    for (const Action& a : c_.actions)
      values.push_back(a.clause == Action::Clause::set ? evaluate(a.value) : Ref{});
    for (std::size_t i = 0; i < c_.actions.size(); ++i) apply(item, c_.actions[i], values[i]);
    std::string out;
    item.write(out);
    return out;
  }

 private:
  Ref find(const Path& path) const {
    if (!stored_ || stored_->empty()) return {};
    std::uint32_t at = 0;
    for (const PathElement& e : path) {
      at = e.is_index ? stored_->element(at, e.index) : stored_->member(at, e.name);
      if (at == Document::kNone) return {};
    }
    return {stored_, at};
  }

  Ref computed(const std::string& json) {
    Document& d = scratch_.emplace_back();
    d.parse("[" + json + "]");
    return {&d, 1};
  }

  Ref evaluate(std::uint32_t n) {
    const Node& node = c_.nodes[n];
    switch (node.kind) {
      case Kind::value:
        return {&c_.values, c_.value_nodes[node.value]};
      case Kind::path: {
        Ref r = find(c_.paths[node.path]);
        if (!r.present()) fail(kMissingOperand);
        return r;
      }
      case Kind::plus:
      case Kind::minus: {
        Ref a = evaluate(node.children[0]), b = evaluate(node.children[1]);
        if (a.get().type != Type::number || b.get().type != Type::number) fail(kWrongType);
        return computed(arithmetic(a.get().text, b.get().text, node.kind == Kind::plus));
      }
      case Kind::call: {
        if (node.function == Function::if_not_exists) {
          Ref r = find(c_.paths[c_.nodes[node.children[0]].path]);
          return r.present() ? r : evaluate(node.children[1]);
        }
        Ref a = evaluate(node.children[0]), b = evaluate(node.children[1]);  // list_append
        if (a.get().type != Type::list || b.get().type != Type::list) fail(kWrongType);
        std::string list = "[";
        for (Ref l : {a, b}) {
          for (std::uint32_t e = l.node + 1; e < l.get().end; e = l.doc->node(e).end) {
            if (list.size() > 1) list.push_back(',');
            l.doc->append_json(e, list);
          }
        }
        return computed(list + "]");
      }
      default:
        return {};
    }
  }

  // The exact sum or difference, as DynamoDB writes it; its errors beyond 38 digits or the range.
  static std::string arithmetic(std::string_view a, std::string_view b, bool add) {
    auto x = store::Decimal::parse(a), y = store::Decimal::parse(b);
    for (const auto& operand : {x, y}) {
      if (!operand) fail(kWrongType);
      if (store::NumberLimit limit = operand->limit(); limit != store::NumberLimit::ok) fail(store::limit_message(limit));
    }
    auto result = add ? store::Decimal::add(*x, *y) : store::Decimal::subtract(*x, *y);
    if (store::NumberLimit limit = result->limit(); limit != store::NumberLimit::ok) fail(store::limit_message(limit));
    return result->plain();
  }

  void apply(Edit& item, const Action& action, Ref value) {
    const Path& path = c_.paths[c_.nodes[action.path].path];
    Edit* parent = &item;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      Edit* child = step(*parent, path[i]);
      if (!child) fail(kInvalidPath);
      parent = child;
    }
    const PathElement& last = path.back();
    if (!parent->open() || (parent->kind == Edit::Kind::map) == last.is_index) fail(kInvalidPath);
    Edit* target = step(*parent, last);
    switch (action.clause) {
      case Action::Clause::set:
        put(*parent, last, target, value);
        return;
      case Action::Clause::remove:
        remove(*parent, last);
        return;
      case Action::Clause::add: {
        Ref operand{&c_.values, c_.value_nodes[c_.nodes[action.value].value]};
        Ref current = target ? target->ref : Ref{};
        if (!target) return put(*parent, last, nullptr, operand);
        if (target->kind != Edit::Kind::ref) fail(kWrongType);
        Type t = current.get().type;
        if (t == Type::number && operand.get().type == Type::number)
          return put(*parent, last, target,
                     computed(arithmetic(current.get().text, operand.get().text, true)));
        if (!is_set(t) || t != operand.get().type) fail(kWrongType);
        std::vector<Ref> elements = set_elements(current);
        for (Ref e : set_elements(operand))
          if (!set_contains(elements, e)) elements.push_back(e);
        std::string json;
        append_set(json, t, elements);
        return put(*parent, last, target, computed(json));
      }
      case Action::Clause::remove_from_set: {
        if (!target) return;
        Ref operand{&c_.values, c_.value_nodes[c_.nodes[action.value].value]};
        if (target->kind != Edit::Kind::ref) fail(kWrongType);
        Ref current = target->ref;
        Type t = current.get().type;
        if (t != operand.get().type) fail(kWrongType);
        std::vector<Ref> kept, gone = set_elements(operand);
        for (Ref e : set_elements(current))
          if (!set_contains(gone, e)) kept.push_back(e);
        if (kept.empty()) return remove(*parent, last);  // DynamoDB has no empty sets
        std::string json;
        append_set(json, t, kept);
        return put(*parent, last, target, computed(json));
      }
    }
  }

  // The child of an open map or list (its original elements only), or nullptr.
  static Edit* step(Edit& parent, const PathElement& e) {
    if (!parent.open()) return nullptr;
    if (parent.kind == Edit::Kind::map) return e.is_index ? nullptr : parent.member(e.name);
    if (!e.is_index || e.index >= parent.values.size()) return nullptr;
    return &parent.values[e.index];
  }

  static void put(Edit& parent, const PathElement& last, Edit* target, Ref value) {
    if (target) {
      *target = Edit::of(value);
    } else if (parent.kind == Edit::Kind::map) {
      parent.names.push_back(last.name);
      parent.values.push_back(Edit::of(value));
    } else {
      parent.appended_at.push_back(last.index);
      parent.appended.push_back(Edit::of(value));
    }
  }

  static void remove(Edit& parent, const PathElement& last) {
    if (parent.kind == Edit::Kind::map) {
      for (std::size_t i = 0; i < parent.names.size(); ++i) {
        if (parent.names[i] != last.name) continue;
        parent.names.erase(parent.names.begin() + static_cast<std::ptrdiff_t>(i));
        parent.values.erase(parent.values.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    } else if (last.index < parent.removed.size()) {
      parent.removed[last.index] = true;
    }
  }

  const Compiled& c_;
  const Document* stored_;
  std::deque<Document> scratch_;  // computed values (a deque: their addresses stay)
};

}  // namespace

std::string Update::apply(const Document* stored, std::string_view key_json) const {
  return Applier(*compiled_, stored).run(key_json);
}

Projection Update::paths() const {
  auto paths = std::make_shared<Compiled>();
  paths->nodes = compiled_->nodes;
  paths->paths = compiled_->paths;
  for (const Action& action : compiled_->actions) paths->project.push_back(action.path);
  return Compiled::wrap<Projection>(std::move(paths));
}

}  // namespace millrace::expr::dynamo
