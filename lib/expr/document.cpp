#include "expr/document.h"

#include "store/decimal.h"
#include "lines/json.h"

namespace millrace::expr {
namespace {

using json_type = simdjson::ondemand::json_type;

bool is_set(Type t) {
  return t == Type::string_set || t == Type::number_set || t == Type::binary_set;
}

}  // namespace

bool Document::parse(std::string_view json) {
  nodes_.clear();
  decoded_.clear();
  binaries_.clear();
  text_.assign(json).append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::document doc;
  simdjson::ondemand::value root;
  // After the root value, the document must be at its end: nothing but whitespace follows.
  bool ok = !parser_.iterate(text_.data(), json.size(), text_.size()).get(doc) &&
            !doc.get_value().get(root) && read(root, {}, 0) &&
            doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
  if (!ok) {
    nodes_.clear();
    return false;
  }
  for (const auto& [node, where] : binaries_)
    nodes_[node].text = std::string_view(decoded_.data() + where.first, where.second);
  return true;
}

bool Document::read(simdjson::ondemand::value value, std::string_view key, int depth) {
  json_type type;
  if (value.type().get(type)) return false;
  auto index = static_cast<std::uint32_t>(nodes_.size());
  nodes_.emplace_back();
  nodes_[index].key = key;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object object;
      if (value.get_object().get(object)) return false;
      nodes_[index].type = Type::map;
      for (auto field : object) {
        std::string_view name;
        simdjson::ondemand::value member;
        if (field.unescaped_key().get(name) || field.value().get(member) ||
            !read(member, name, depth + 1))
          return false;
      }
      nodes_[index].end = size();
      classify_object(index);
      return true;
    }
    case json_type::array: {
      simdjson::ondemand::array array;
      if (value.get_array().get(array)) return false;
      nodes_[index].type = Type::list;
      for (auto element : array) {
        simdjson::ondemand::value item;
        if (element.get(item) || !read(item, {}, depth + 1)) return false;
      }
      nodes_[index].end = size();
      return true;
    }
    case json_type::number: {
      std::string_view text = lines::trim_right(value.raw_json_token());
      if (!store::is_json_number(text)) return false;
      nodes_[index].type = Type::number;
      nodes_[index].text = text;
      break;
    }
    case json_type::string:
      nodes_[index].type = Type::string;
      if (value.get_string().get(nodes_[index].text)) return false;
      break;
    case json_type::boolean:
      nodes_[index].type = Type::boolean;
      if (value.get_bool().get(nodes_[index].boolean)) return false;
      break;
    case json_type::null: {
      bool null = false;
      if (value.is_null().get(null) || !null) return false;
      nodes_[index].type = Type::null;
      break;
    }
  }
  nodes_[index].end = index + 1;
  return true;
}

// An object of one member $B, $SS, $NS or $BS holding a value of that shape is that type.
void Document::classify_object(std::uint32_t i) {
  std::uint32_t child = i + 1;
  if (child == nodes_[i].end || nodes_[child].end != nodes_[i].end) return;  // not one member
  const Node& value = nodes_[child];
  std::string_view key = value.key;
  auto decode = [&](std::uint32_t node) {
    std::size_t at = decoded_.size();
    if (!lines::append_base64_decoded(decoded_, nodes_[node].text)) return false;
    binaries_.push_back({node, {at, decoded_.size() - at}});
    return true;
  };
  if (key == "$B") {
    if (value.type != Type::string) return;
    std::size_t at = decoded_.size();
    if (!lines::append_base64_decoded(decoded_, value.text)) return;
    binaries_.push_back({i, {at, decoded_.size() - at}});
    nodes_[i].type = Type::binary;
    return;
  }
  Type set = key == "$SS"   ? Type::string_set
             : key == "$NS" ? Type::number_set
             : key == "$BS" ? Type::binary_set
                            : Type::map;
  if (set == Type::map || value.type != Type::list) return;
  Type element = set == Type::string_set   ? Type::string
                 : set == Type::number_set ? Type::number
                                           : Type::string;
  for (std::uint32_t e = child + 1; e < value.end; e = nodes_[e].end)
    if (nodes_[e].type != element) return;
  if (set == Type::binary_set) {
    std::size_t decoded_size = decoded_.size(), binaries_size = binaries_.size();
    for (std::uint32_t e = child + 1; e < value.end; e = nodes_[e].end) {
      if (!decode(e)) {
        decoded_.resize(decoded_size);
        binaries_.resize(binaries_size);
        return;
      }
    }
    for (std::uint32_t e = child + 1; e < value.end; e = nodes_[e].end)
      nodes_[e].type = Type::binary;
  }
  nodes_[i].type = set;
}

std::uint32_t Document::first_child(std::uint32_t i) const {
  return is_set(nodes_[i].type) ? i + 2 : i + 1;
}

std::uint32_t Document::count_children(std::uint32_t i) const {
  const Node& n = nodes_[i];
  if (n.type != Type::map && n.type != Type::list && !is_set(n.type)) return 0;
  std::uint32_t count = 0;
  for (std::uint32_t c = first_child(i); c < n.end; c = nodes_[c].end) ++count;
  return count;
}

std::uint32_t Document::member(std::uint32_t i, std::string_view name) const {
  if (nodes_[i].type != Type::map) return kNone;
  for (std::uint32_t c = i + 1; c < nodes_[i].end; c = nodes_[c].end)
    if (nodes_[c].key == name) return c;
  return kNone;
}

std::uint32_t Document::element(std::uint32_t i, std::uint64_t index) const {
  if (nodes_[i].type != Type::list) return kNone;
  for (std::uint32_t c = i + 1; c < nodes_[i].end; c = nodes_[c].end)
    if (index-- == 0) return c;
  return kNone;
}

Scalar Document::scalar(std::uint32_t i) const {
  const Node& n = nodes_[i];
  Scalar s;
  s.type = n.type;
  s.boolean = n.boolean;
  if (n.type == Type::number) s.number = Number::of_text(n.text);
  if (n.type == Type::string || n.type == Type::binary) s.bytes = n.text;
  return s;
}

void Document::append_json(std::uint32_t i, std::string& out) const {
  const Node& n = nodes_[i];
  switch (n.type) {
    case Type::missing:
    case Type::null:
      out.append("null");
      return;
    case Type::boolean:
      out.append(n.boolean ? "true" : "false");
      return;
    case Type::number:
      out.append(n.text);
      return;
    case Type::string:
      lines::append_json_string(out, n.text);
      return;
    case Type::binary:
      out.append("{\"$B\":\"");
      lines::append_base64(out, n.text);
      out.append("\"}");
      return;
    case Type::string_set:
    case Type::number_set:
    case Type::binary_set:
      out.append("{\"$").append(type_name(n.type)).append("\":");
      [[fallthrough]];
    case Type::list:
    case Type::map: {
      bool map = n.type == Type::map;
      out.push_back(map ? '{' : '[');
      for (std::uint32_t c = first_child(i); c < n.end; c = nodes_[c].end) {
        if (c != first_child(i)) out.push_back(',');
        if (map) {
          lines::append_json_string(out, nodes_[c].key);
          out.push_back(':');
        }
        if (nodes_[c].type == Type::binary && n.type == Type::binary_set) {
          out.push_back('"');
          lines::append_base64(out, nodes_[c].text);
          out.push_back('"');
        } else {
          append_json(c, out);
        }
      }
      out.push_back(map ? '}' : ']');
      if (is_set(n.type)) out.push_back('}');
      return;
    }
  }
}

bool equal(const Document& a, std::uint32_t i, const Document& b, std::uint32_t j) {
  const Document::Node &x = a.node(i), &y = b.node(j);
  if (x.type != y.type) return false;
  switch (x.type) {
    case Type::map: {
      if (a.count_children(i) != b.count_children(j)) return false;
      for (std::uint32_t c = i + 1; c < x.end; c = a.node(c).end) {
        std::uint32_t other = b.member(j, a.node(c).key);
        if (other == Document::kNone || !equal(a, c, b, other)) return false;
      }
      return true;
    }
    case Type::list: {
      std::uint32_t c = i + 1, d = j + 1;
      for (; c < x.end && d < y.end; c = a.node(c).end, d = b.node(d).end)
        if (!equal(a, c, b, d)) return false;
      return c == x.end && d == y.end;
    }
    case Type::string_set:
    case Type::number_set:
    case Type::binary_set: {
      // Each element of one is in the other, and there are as many: sets hold no duplicates.
      if (a.count_children(i) != b.count_children(j)) return false;
      for (std::uint32_t c = a.first_child(i); c < x.end; c = a.node(c).end) {
        bool found = false;
        for (std::uint32_t d = b.first_child(j); d < y.end && !found; d = b.node(d).end)
          found = equal_scalars(a.scalar(c), b.scalar(d));
        if (!found) return false;
      }
      return true;
    }
    default:
      return equal_scalars(a.scalar(i), b.scalar(j));
  }
}

std::string_view type_name(Type type) {
  switch (type) {
    case Type::string:
      return "S";
    case Type::number:
      return "N";
    case Type::binary:
      return "B";
    case Type::boolean:
      return "BOOL";
    case Type::null:
      return "NULL";
    case Type::map:
      return "M";
    case Type::list:
      return "L";
    case Type::string_set:
      return "SS";
    case Type::number_set:
      return "NS";
    case Type::binary_set:
      return "BS";
    case Type::missing:
      break;
  }
  return "";
}

}  // namespace millrace::expr
