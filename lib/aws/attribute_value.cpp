#include "aws/attribute_value.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "lines/json.h"
#include "store/decimal.h"

namespace millrace::aws {
namespace {

using simdjson::dom::element;

ApiError validation(std::string message) { return ApiError{400, "ValidationException", std::move(message)}; }
ApiError serialization(std::string message) { return ApiError{400, "SerializationException", std::move(message)}; }

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

enum class Kind { S, N, B, SS, NS, BS, M, L, NULL_, BOOL };
constexpr std::array<std::string_view, 10> kKindNames = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"};

std::size_t utf8_bytes(std::string_view text) { return text.size(); }

// The number `text` of a typed N, or DynamoDB's error.
store::Decimal number_of(std::string_view text) {
  std::optional<store::Decimal> number = store::Decimal::parse(text, store::NumberSyntax::dynamodb);
  if (!number) throw validation("A value provided cannot be converted into a number");
  if (store::NumberLimit limit = number->limit(); limit != store::NumberLimit::ok)
    throw validation(std::string(store::limit_message(limit)));
  return *number;
}

// The bytes of a typed B, or the SerializationException of a JSON reader of blobs.
std::string bytes_of(std::string_view base64) {
  std::string bytes;
  if (base64.size() % 4 != 0)
    throw serialization(fmt::format("Base64 encoded length is expected a multiple of 4 bytes but found: {}", base64.size()));
  if (!lines::append_base64_decoded(bytes, base64)) throw serialization("Invalid Base64 character in a binary value");
  return bytes;
}

std::string_view string_of(element value, std::string_view kind) {
  std::string_view text;
  if (value.get(text)) throw serialization(fmt::format("the value of {} must be a string", kind));
  return text;
}

simdjson::dom::array array_of(element value, std::string_view kind) {
  simdjson::dom::array array;
  if (value.get(array)) throw serialization(fmt::format("the value of {} must be a list", kind));
  return array;
}

// Throws for a member name that comes twice in one object: JSON allows it, an item cannot hold it.
class NameSet {
 public:
  void add(std::string_view name) {
    if (std::find(names_.begin(), names_.end(), name) != names_.end())
      throw serialization(fmt::format("the attribute name {} is given twice", name));
    names_.push_back(name);
  }

 private:
  std::vector<std::string_view> names_;
};

class Decoder {
 public:
  explicit Decoder(std::string& out) : out_(out) {}

  std::size_t item(element value) {
    simdjson::dom::object object;
    if (value.get(object)) throw serialization("an item must be an object of attribute values");
    out_.push_back('{');
    std::size_t size = 0;
    bool first = true;
    NameSet names;
    for (auto field : object) {
      names.add(field.key);
      if (!first) out_.push_back(',');
      first = false;
      lines::append_json_string(out_, field.key);
      out_.push_back(':');
      size += utf8_bytes(field.key) + this->value(field.value, 1);
    }
    out_.push_back('}');
    return size;
  }

  // The value at `depth` (a top-level attribute's is 1).
  std::size_t value(element value, int depth) {
    simdjson::dom::object object;
    if (value.get(object)) throw serialization("an attribute value must be an object");
    // Exactly one of the types, members the model does not have ignored (as DynamoDB does).
    std::optional<Kind> kind;
    element content;
    for (auto field : object) {
      auto at = std::find(kKindNames.begin(), kKindNames.end(), field.key);
      if (at == kKindNames.end() || field.value.is_null()) continue;
      if (kind)
        throw validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      kind = static_cast<Kind>(at - kKindNames.begin());
      content = field.value;
    }
    if (!kind) throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    switch (*kind) {
      case Kind::S: {
        std::string_view text = string_of(content, "S");
        lines::append_json_string(out_, text);
        return utf8_bytes(text);
      }
      case Kind::N: {
        store::Decimal number = number_of(string_of(content, "N"));
        number.append_canonical(out_);
        return number.dynamodb_size();
      }
      case Kind::B: {
        std::string bytes = bytes_of(string_of(content, "B"));
        out_.append("{\"$B\":\"");
        lines::append_base64(out_, bytes);
        out_.append("\"}");
        return bytes.size();
      }
      case Kind::BOOL: {
        bool flag = false;
        if (content.get(flag)) throw serialization("the value of BOOL must be a boolean");
        out_.append(flag ? "true" : "false");
        return 1;
      }
      case Kind::NULL_: {
        bool flag = false;
        if (content.get(flag)) throw serialization("the value of NULL must be a boolean");
        if (!flag) throw validation(std::string(kInvalid) + "Null attribute value types must have the value of true");
        out_.append("null");
        return 1;
      }
      case Kind::SS: return string_set(array_of(content, "SS"));
      case Kind::NS: return number_set(array_of(content, "NS"));
      case Kind::BS: return binary_set(array_of(content, "BS"));
      case Kind::M: {
        simdjson::dom::object map;
        if (content.get(map)) throw serialization("the value of M must be an object");
        check_depth(depth);
        out_.push_back('{');
        std::size_t size = 3;
        bool first = true;
        NameSet names;
        for (auto field : map) {
          names.add(field.key);
          if (!first) out_.push_back(',');
          first = false;
          lines::append_json_string(out_, field.key);
          out_.push_back(':');
          size += 1 + utf8_bytes(field.key) + this->value(field.value, depth + 1);
        }
        out_.push_back('}');
        return size;
      }
      case Kind::L: {
        simdjson::dom::array list = array_of(content, "L");
        check_depth(depth);
        out_.push_back('[');
        std::size_t size = 3;
        bool first = true;
        for (element member : list) {
          if (!first) out_.push_back(',');
          first = false;
          size += 1 + this->value(member, depth + 1);
        }
        out_.push_back(']');
        return size;
      }
    }
    return 0;
  }

 private:
  static void check_depth(int depth) {
    if (depth > kMaxContainerDepth)
      throw validation("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
  }

  std::size_t string_set(simdjson::dom::array set) {
    if (set.size() == 0) throw validation(std::string(kInvalid) + "An string set  may not be empty");
    std::vector<std::string_view> members;
    for (element member : set) members.push_back(string_of(member, "SS"));
    if (has_duplicates(members)) {
      std::string listed;
      for (std::string_view m : members) listed += (listed.empty() ? "" : ", ") + std::string(m);
      throw validation(fmt::format("{}Input collection [{}] contains duplicates", kInvalid, listed));
    }
    out_.append("{\"$SS\":[");
    std::size_t size = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out_.push_back(',');
      lines::append_json_string(out_, members[i]);
      size += utf8_bytes(members[i]);
    }
    out_.append("]}");
    return size;
  }

  std::size_t number_set(simdjson::dom::array set) {
    if (set.size() == 0) throw validation(std::string(kInvalid) + "An number set  may not be empty");
    std::vector<std::string> canonical;
    std::size_t size = 0;
    for (element member : set) {
      store::Decimal number = number_of(string_of(member, "NS"));
      canonical.emplace_back();
      number.append_canonical(canonical.back());
      size += number.dynamodb_size();
    }
    // One value, one text: 1 and 1.0 are duplicates.
    if (has_duplicates(std::vector<std::string_view>(canonical.begin(), canonical.end())))
      throw validation("Input collection contains duplicates");
    out_.append("{\"$NS\":[");
    for (std::size_t i = 0; i < canonical.size(); ++i) out_.append(i > 0 ? "," : "").append(canonical[i]);
    out_.append("]}");
    return size;
  }

  std::size_t binary_set(simdjson::dom::array set) {
    if (set.size() == 0) throw validation(std::string(kInvalid) + "Binary sets should not be empty");
    std::vector<std::string> members;
    std::size_t size = 0;
    for (element member : set) {
      members.push_back(bytes_of(string_of(member, "BS")));
      size += members.back().size();
    }
    if (has_duplicates(std::vector<std::string_view>(members.begin(), members.end())))
      throw validation(std::string(kInvalid) + "Input collection of type BS contains duplicates.");
    out_.append("{\"$BS\":[");
    for (std::size_t i = 0; i < members.size(); ++i) {
      out_.append(i > 0 ? ",\"" : "\"");
      lines::append_base64(out_, members[i]);
      out_.push_back('"');
    }
    out_.append("]}");
    return size;
  }

  static bool has_duplicates(std::vector<std::string_view> members) {
    std::sort(members.begin(), members.end());
    return std::adjacent_find(members.begin(), members.end()) != members.end();
  }

  std::string& out_;
};

template <class Convert>
Decoded decode(Convert&& convert) {
  Decoded result;
  try {
    result.size = convert();
  } catch (const ApiError& e) {
    result.error = e;
  }
  return result;
}

// ---- plain to typed -------------------------------------------------------------------------

namespace od = simdjson::ondemand;

// The tags of the plain forms of the types JSON lacks.
enum class Tag { none, B, SS, NS, BS };

Tag tag_of(od::raw_json_string key) {
  if (key.is_equal("$B")) return Tag::B;
  if (key.is_equal("$SS")) return Tag::SS;
  if (key.is_equal("$NS")) return Tag::NS;
  if (key.is_equal("$BS")) return Tag::BS;
  return Tag::none;
}

// The text of a string value without unescaping it (simdjson's ondemand strings may be
// unescaped once only); nullopt when it holds an escape, which base64 never does.
std::optional<std::string_view> unescaped_raw(od::value& value) {
  std::string_view token = lines::trim_right(value.raw_json_token());
  if (token.size() < 2 || token.find('\\') != std::string_view::npos) return std::nullopt;
  return token.substr(1, token.size() - 2);
}

bool is_base64(std::string_view text, std::string& scratch) {
  scratch.clear();
  return lines::append_base64_decoded(scratch, text);
}

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  // The attributes of `object` as a typed item; returns its size, with `per_member` bytes more
  // for each member (an M's members cost one byte each, an item's attributes none).
  std::optional<std::size_t> item(od::object object, std::size_t per_member = 0) {
    append("{");
    std::size_t size = 0;
    bool first = true;
    for (auto field : object) {
      std::string_view name;
      od::value value;
      if (field.unescaped_key().get(name) || field.value().get(value)) return std::nullopt;
      if (!first) append(",");
      first = false;
      append_string(name);
      append(":");
      auto value_size = this->value(value);
      if (!value_size) return std::nullopt;
      size += per_member + name.size() + *value_size;
    }
    append("}");
    return size;
  }

  std::optional<std::size_t> value(od::value& value) {
    od::json_type type;
    if (value.type().get(type)) return std::nullopt;
    switch (type) {
      case od::json_type::string: {
        std::string_view text;
        if (value.get_string().get(text)) return std::nullopt;
        append("{\"S\":");
        append_string(text);
        append("}");
        return text.size();
      }
      case od::json_type::number: {
        std::string_view text = lines::trim_right(value.raw_json_token());
        append("{\"N\":\"");
        std::size_t size = number(text);
        append("\"}");
        return size;
      }
      case od::json_type::boolean: {
        bool flag = false;
        if (value.get_bool().get(flag)) return std::nullopt;
        append(flag ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
        return 1;
      }
      case od::json_type::null:
        if (!value.is_null()) return std::nullopt;
        append("{\"NULL\":true}");
        return 1;
      case od::json_type::array: {
        od::array list;
        if (value.get_array().get(list)) return std::nullopt;
        append("{\"L\":[");
        std::size_t size = 3;
        bool first = true;
        for (auto member : list) {
          od::value element;
          if (member.get(element)) return std::nullopt;
          if (!first) append(",");
          first = false;
          auto element_size = this->value(element);
          if (!element_size) return std::nullopt;
          size += 1 + *element_size;
        }
        append("]}");
        return size;
      }
      case od::json_type::object: {
        od::object map;
        if (value.get_object().get(map)) return std::nullopt;
        if (Tag tag = tagged(map); tag != Tag::none) return set_or_binary(map, tag);
        append("{\"M\":");
        auto size = item(map, 1);
        if (!size) return std::nullopt;
        append("}");
        return 3 + *size;
      }
    }
    return std::nullopt;
  }

 private:
  // Whether `map` is the plain form of a binary or a set: one member, tagged, of its shape.
  // Reads no string twice (the shape is checked on raw tokens), and rewinds `map`.
  Tag tagged(od::object& map) {
    std::size_t fields = 0;
    if (map.count_fields().get(fields) || fields != 1) return Tag::none;
    Tag tag = Tag::none;
    for (auto field : map) {
      od::raw_json_string key;
      od::value value;
      if (field.key().get(key) || field.value().get(value)) break;
      tag = tag_of(key);
      if (tag != Tag::none && !has_shape(value, tag)) tag = Tag::none;
      break;
    }
    if (map.reset().error()) return Tag::none;
    return tag;
  }

  // Whether `value` is what DynamoDB would take for the tag: canonical base64 for $B; a
  // non-empty array of distinct strings, numbers or canonical base64 strings for the sets.
  bool has_shape(od::value& value, Tag tag) {
    od::json_type type;
    if (value.type().get(type)) return false;
    if (tag == Tag::B) return type == od::json_type::string && canonical_base64(value);
    od::array set;
    if (type != od::json_type::array || value.get_array().get(set)) return false;
    std::vector<std::string> members;  // each member's identity: its raw text, value or bytes
    for (auto member : set) {
      od::value element;
      if (member.get(element) || element.type().get(type)) return false;
      if (tag == Tag::NS) {
        std::string_view text = lines::trim_right(element.raw_json_token());
        auto number = type == od::json_type::number ? store::Decimal::parse(text) : std::nullopt;
        if (!number) return false;
        members.emplace_back(number->negative() ? "-" : "");
        members.back().append(number->significant()).append("e").append(std::to_string(number->adjusted_exponent()));
      } else if (type != od::json_type::string) {
        return false;
      } else if (tag == Tag::BS) {
        if (!canonical_base64(element)) return false;
        members.push_back(scratch_);
      } else {
        // Strings written by this module's decoder are escaped one way only, so equal strings
        // have equal raw texts (what kv-put wrote otherwise may hold a duplicate unseen).
        members.emplace_back(lines::trim_right(element.raw_json_token()));
      }
    }
    std::sort(members.begin(), members.end());
    return !members.empty() && std::adjacent_find(members.begin(), members.end()) == members.end();
  }

  // Whether the string `value` is base64 as this module writes it (decoded into scratch_).
  bool canonical_base64(od::value& value) {
    auto text = unescaped_raw(value);
    if (!text || !is_base64(*text, scratch_)) return false;
    canonical_.clear();
    lines::append_base64(canonical_, scratch_);
    return canonical_ == *text;
  }

  // The typed value of a tagged `map` (tagged() said so), and its size.
  std::optional<std::size_t> set_or_binary(od::object& map, Tag tag) {
    for (auto field : map) {
      od::value value;
      if (field.value().get(value)) return std::nullopt;
      if (tag == Tag::B) {
        auto text = unescaped_raw(value);
        if (!text) return std::nullopt;
        append("{\"B\":");
        std::size_t size = binary(*text);
        append("}");
        return size;
      }
      od::array set;
      if (value.get_array().get(set)) return std::nullopt;
      append(tag == Tag::SS ? "{\"SS\":[" : tag == Tag::NS ? "{\"NS\":[" : "{\"BS\":[");
      std::size_t size = 0;
      bool first = true;
      for (auto member : set) {
        od::value element;
        if (member.get(element)) return std::nullopt;
        if (!first) append(",");
        first = false;
        if (tag == Tag::SS) {
          std::string_view text;
          if (element.get_string().get(text)) return std::nullopt;
          append_string(text);
          size += text.size();
        } else if (tag == Tag::NS) {
          append("\"");
          size += number(lines::trim_right(element.raw_json_token()));
          append("\"");
        } else {
          auto text = unescaped_raw(element);
          if (!text) return std::nullopt;
          size += binary(*text);
        }
      }
      append("]}");
      return size;
    }
    return std::nullopt;
  }

  // Appends a number's text (DynamoDB's, when DynamoDB can hold it; else as written) and
  // returns its size.
  std::size_t number(std::string_view text) {
    std::optional<store::Decimal> decimal = store::Decimal::parse(text);
    if (decimal && decimal->limit() == store::NumberLimit::ok) {
      if (out_) decimal->append_canonical(*out_);
      return decimal->dynamodb_size();
    }
    append(text);
    return text.size();
  }

  // Appends a base64 text in its canonical form (quoted) and returns the bytes' count.
  std::size_t binary(std::string_view base64) {
    is_base64(base64, scratch_);
    if (out_) {
      out_->push_back('"');
      lines::append_base64(*out_, scratch_);
      out_->push_back('"');
    }
    return scratch_.size();
  }

  void append(std::string_view text) {
    if (out_) out_->append(text);
  }
  void append_string(std::string_view text) {
    if (out_) lines::append_json_string(*out_, text);
  }

  std::string* out_;
  std::string scratch_, canonical_;
};

}  // namespace

Decoded append_plain_item(std::string& out, simdjson::dom::element item) {
  return decode([&] { return Decoder(out).item(item); });
}

Decoded append_plain_value(std::string& out, simdjson::dom::element value) {
  return decode([&] { return Decoder(out).value(value, 1); });
}

std::optional<std::string> plain_binary(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(object) || object.size() != 1) return std::nullopt;
  std::string_view text;
  if (object["$B"].get(text)) return std::nullopt;
  std::string bytes;
  if (!lines::append_base64_decoded(bytes, text)) return std::nullopt;
  return bytes;
}

std::optional<std::size_t> ItemEncoder::run(std::string* out, std::string_view json, bool item) {
  // A value that is not an item is read as the one member of an array, so that every value is
  // an od::value (simdjson reads a document's scalar root by other calls).
  padded_.clear();
  if (!item) padded_.push_back('[');
  padded_.append(json);
  if (!item) padded_.push_back(']');
  std::size_t size = padded_.size();
  padded_.append(simdjson::SIMDJSON_PADDING, '\0');
  std::size_t at = out ? out->size() : 0;
  od::document doc;
  std::optional<std::size_t> result;
  if (!parser_.iterate(padded_.data(), size, padded_.size()).get(doc)) {
    Encoder encoder(out);
    if (item) {
      od::object object;
      if (!doc.get_object().get(object)) result = encoder.item(object);
    } else {
      od::array array;
      if (!doc.get_array().get(array))
        for (auto member : array) {
          od::value value;
          if (!member.get(value)) result = encoder.value(value);
          break;
        }
    }
  }
  if (!result && out) out->resize(at);
  return result;
}

std::optional<std::size_t> ItemEncoder::append_typed_item(std::string& out, std::string_view json) {
  return run(&out, json, true);
}

std::optional<std::size_t> ItemEncoder::append_typed_value(std::string& out, std::string_view json) {
  return run(&out, json, false);
}

std::optional<std::size_t> ItemEncoder::item_size(std::string_view json) { return run(nullptr, json, true); }

}  // namespace millrace::aws
