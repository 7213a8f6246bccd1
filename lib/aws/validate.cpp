#include "aws/validate.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace millrace::aws {
namespace {

using model::Shape;
using model::Type;

// AWS's validation stops listing violations after this many.
constexpr std::size_t kMaxViolations = 10;
// Nesting deeper than this is refused before it is walked (AWS's services refuse it too). The
// deepest request a service takes is DynamoDB's: an item nests 32 levels, each two levels of the
// model (an AttributeValue, then its M or L), inside a BatchWriteItem's five.
constexpr int kMaxDepth = 100;

// Thrown for the first member whose JSON type is not the model's: the whole request is refused.
struct SerializationError {
  std::string message;
};

// The regular expressions of a service's patterns, compiled once, on first use. RE2 matches in
// time linear in the value and in bounded memory, without recursion: a member of a megabyte
// meets the pattern as a short one does (std::regex recurses once per character and ends a
// server on a stack overflow).
class Patterns {
 public:
  bool matches(const model::Service& service, std::uint16_t shape, std::string_view value) {
    std::call_once(compiled_, [&] {
      regexes_.resize(service.shapes.size());
      RE2::Options options;
      options.set_log_errors(false);
      for (std::size_t i = 0; i < service.shapes.size(); ++i)
        if (!service.shapes[i].pattern.empty()) {
          const model::Shape& modelled = service.shapes[i];
          std::string_view syntax = modelled.matcher.empty() ? modelled.pattern : modelled.matcher;
          regexes_[i] = std::make_unique<RE2>(syntax, options);
        }
    });
    return RE2::FullMatch(value, *regexes_[shape]);
  }

 private:
  std::once_flag compiled_;
  std::vector<std::unique_ptr<RE2>> regexes_;
};

Patterns& patterns_of(const model::Service& service) {
  static std::mutex mutex;
  static std::map<const model::Service*, std::unique_ptr<Patterns>> compiled;
  std::lock_guard lock(mutex);
  auto& patterns = compiled[&service];
  if (!patterns) patterns = std::make_unique<Patterns>();
  return *patterns;
}

std::string lower_first(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

std::string_view json_type_name(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY: return "a list";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    case element_type::DOUBLE: return "a fraction";
    default: return "a number";
  }
}

// The decoded length of base64 text (padding excluded).
std::int64_t base64_decoded_length(std::string_view text) {
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  return static_cast<std::int64_t>((text.size() * 3) / 4 - padding);
}

// Where a value is in the request, as AWS names it ('records.3.member.partitionKey'). Spelled
// out only for a message: a PutRecords of 500 records has thousands of members, all valid but
// for a rare request.
struct Path {
  enum class Step { root, member, element, key, value };
  const Path* parent = nullptr;
  Step step = Step::root;
  std::string_view name;  // a member's name in the model, or a map's key
  std::size_t index = 0;  // an element's, from 1

  Path member(std::string_view member_name) const { return Path{this, Step::member, member_name, 0}; }
  Path element(std::size_t i) const { return Path{this, Step::element, {}, i}; }
  Path map_key(std::string_view key) const { return Path{this, Step::key, key, 0}; }
  Path map_value(std::string_view key) const { return Path{this, Step::value, key, 0}; }

  std::string text() const {
    if (step == Step::root) return "";
    std::string out = parent->text();
    switch (step) {
      case Step::member:
        if (!out.empty()) out += '.';
        out += lower_first(name);
        break;
      case Step::element: out += fmt::format(".{}.member", index); break;
      case Step::key: out += fmt::format(".{}.key", name); break;
      case Step::value: out += fmt::format(".{}.value", name); break;
      case Step::root: break;
    }
    return out;
  }
};

class Checker {
 public:
  Checker(const model::Service& service) : service_(service) {}

  void check(std::uint16_t shape_index, simdjson::dom::element value, const Path& path, int depth) {
    const Shape& shape = service_.shape(shape_index);
    if (depth > kMaxDepth) throw SerializationError{fmt::format("'{}' is nested too deeply", path.text())};
    if (value.is_null()) return;  // AWS treats a null member as an absent one
    auto wrong_type = [&](std::string_view want) {
      std::string where = path.text();
      throw SerializationError{fmt::format("'{}' must be {}, not {}", where.empty() ? "the request" : where, want,
                                           json_type_name(value.type()))};
    };
    switch (shape.type) {
      case Type::structure: {
        simdjson::dom::object object;
        if (value.get(object)) wrong_type("an object");
        for (const model::Member& member : shape.members) {
          Path member_path = path.member(member.name);
          simdjson::dom::element child;
          bool present = !object.at_key(member.name).get(child) && !child.is_null();
          if (!present) {
            if (member.required) violation(fmt::format("Value null at '{}' failed to satisfy constraint: Member must not be null", member_path.text()));
            continue;
          }
          check(member.shape, child, member_path, depth + 1);
        }
        break;
      }
      case Type::list: {
        simdjson::dom::array array;
        if (value.get(array)) wrong_type("a list");
        check_length(shape, static_cast<std::int64_t>(array.size()), "[...]", path);
        std::size_t i = 1;
        for (simdjson::dom::element element : array)
          check(shape.element, element, path.element(i++), depth + 1);
        break;
      }
      case Type::map: {
        simdjson::dom::object object;
        if (value.get(object)) wrong_type("an object");
        check_length(shape, static_cast<std::int64_t>(object.size()), "{...}", path);
        for (auto field : object) {
          check_string(shape.key, field.key, path.map_key(field.key));
          check(shape.element, field.value, path.map_value(field.key), depth + 1);
        }
        break;
      }
      case Type::string: {
        std::string_view text;
        if (value.get(text)) wrong_type("a string");
        check_string(shape_index, text, path);
        break;
      }
      case Type::blob: {
        std::string_view text;
        if (value.get(text)) wrong_type("a base64 string");
        check_length(shape, base64_decoded_length(text), "java.nio.HeapByteBuffer", path);
        break;
      }
      case Type::boolean:
        if (!value.is_bool()) wrong_type("a boolean");
        break;
      case Type::timestamp:
        if (!value.is_number() && !value.is_string()) wrong_type("a timestamp (epoch seconds)");
        break;
      case Type::double_:
        if (!value.is_number()) wrong_type("a number");
        break;
      case Type::integer:
      case Type::long_: {
        std::int64_t number = 0;
        if (!value.is_int64() && !value.is_uint64())
          wrong_type(shape.type == Type::integer ? "an integer" : "a long integer");
        if (value.get(number) ||
            (shape.type == Type::integer && (number < INT32_MIN || number > INT32_MAX)))
          throw SerializationError{fmt::format("'{}' is out of range of {}", path.text(),
                                               shape.type == Type::integer ? "an integer" : "a long integer")};
        if (shape.min != model::kNoBound && number < shape.min)
          violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value greater than or equal to {}",
                                number, path.text(), shape.min));
        if (shape.max != model::kNoBound && number > shape.max)
          violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have value less than or equal to {}",
                                number, path.text(), shape.max));
        break;
      }
    }
  }

  std::optional<ApiError> result() const {
    if (violations_.empty()) return std::nullopt;
    std::string message = fmt::format("{} validation error{} detected: ", count_, count_ == 1 ? "" : "s");
    for (std::size_t i = 0; i < violations_.size(); ++i) message += (i ? "; " : "") + violations_[i];
    return ApiError{400, "ValidationException", message};
  }

 private:
  void violation(std::string text) {
    ++count_;
    if (violations_.size() < kMaxViolations) violations_.push_back(std::move(text));
  }

  void check_length(const Shape& shape, std::int64_t length, std::string_view shown, const Path& path) {
    if (shape.min != model::kNoBound && length < shape.min)
      violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have length greater than or equal to {}",
                            shown, path.text(), shape.min));
    if (shape.max != model::kNoBound && length > shape.max)
      violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must have length less than or equal to {}",
                            shown, path.text(), shape.max));
  }

  void check_string(std::uint16_t shape_index, std::string_view text, const Path& path) {
    const Shape& shape = service_.shape(shape_index);
    // Lengths count characters (UTF-16 code units in AWS's Java; code points here, the same
    // outside the astral planes).
    std::int64_t length = 0;
    for (unsigned char c : text) length += (c & 0xC0) != 0x80;
    check_length(shape, length, text, path);
    if (!shape.pattern.empty() && !patterns_of(service_).matches(service_, shape_index, text))
      violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
                            text, path.text(), shape.pattern));
    if (!shape.enum_values.empty() &&
        std::find(shape.enum_values.begin(), shape.enum_values.end(), text) == shape.enum_values.end()) {
      std::string set;
      for (std::string_view v : shape.enum_values) set += (set.empty() ? "" : ", ") + std::string(v);
      violation(fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                            text, path.text(), set));
    }
  }

  const model::Service& service_;
  std::vector<std::string> violations_;
  std::size_t count_ = 0;
};

}  // namespace

std::optional<ApiError> validate(const model::Service& service, const model::Operation& operation,
                                 simdjson::dom::element body) {
  if (!body.is_object())
    return ApiError{400, "SerializationException", fmt::format("the request must be an object, not {}", json_type_name(body.type()))};
  if (operation.input == model::kNoShape) return std::nullopt;
  Checker checker(service);
  try {
    checker.check(operation.input, body, Path{}, 0);
  } catch (const SerializationError& e) {
    return ApiError{400, "SerializationException", e.message};
  }
  return checker.result();
}

}  // namespace millrace::aws
