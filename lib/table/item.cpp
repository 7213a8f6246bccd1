#include "table/item.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "lines/json.h"

namespace millrace::table {
namespace {

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(out.empty() ? '{' : ',');
  lines::append_json_string(out, name);
  out.push_back(':');
  out.append(value);
}

bool is_integer_text(std::string_view text) {
  return text.find_first_of(".eE") == std::string_view::npos;
}

std::optional<double> to_double(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

const Attribute* find_attribute(const std::vector<Attribute>& attributes, std::string_view name) {
  for (const Attribute& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

const std::vector<Attribute>* ItemParser::split(std::string_view json) {
  copy_.assign(json);
  copy_.append(simdjson::SIMDJSON_PADDING, '\0');
  return split_padded({copy_.data(), json.size()});
}

const std::vector<Attribute>* ItemParser::split_padded(std::string_view json) {
  attributes_.clear();
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser_.iterate(json.data(), json.size(), json.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      doc.get_object().get(object))
    return nullptr;
  for (auto field : object) {
    Attribute a;
    std::string_view name;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(name) || field.value().get(value)) return nullptr;
    a.name = name;
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return nullptr;
    std::string_view text;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object inner;
      if (value.get_object().get(inner) || inner.raw_json().get(text)) return nullptr;
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array inner;
      if (value.get_array().get(inner) || inner.raw_json().get(text)) return nullptr;
    } else {
      text = lines::trim_right(value.raw_json_token());
      if (type == simdjson::ondemand::json_type::string && value.get_string().get(a.string)) return nullptr;
    }
    a.value = text;
    attributes_.push_back(std::move(a));
  }
  return &attributes_;
}

std::optional<std::string> add_numbers(std::string_view a, std::string_view b, std::string& out) {
  if (!is_number_text(a)) return fmt::format("cannot add to {}: not a number", a);
  if (!is_number_text(b)) return fmt::format("cannot add {}: not a number", b);
  if (is_integer_text(a) && is_integer_text(b)) {
    std::int64_t x = 0, y = 0, sum = 0;
    auto [end_a, ec_a] = std::from_chars(a.data(), a.data() + a.size(), x);
    auto [end_b, ec_b] = std::from_chars(b.data(), b.data() + b.size(), y);
    if (ec_a == std::errc() && ec_b == std::errc() && !__builtin_add_overflow(x, y, &sum)) {
      fmt::format_to(std::back_inserter(out), "{}", sum);
      return std::nullopt;
    }
  }
  auto x = to_double(a), y = to_double(b);
  if (!x || !y) return fmt::format("cannot add {} and {}", a, b);
  double sum = *x + *y;
  if (!std::isfinite(sum)) return fmt::format("{} + {} is out of range", a, b);
  fmt::format_to(std::back_inserter(out), "{}", sum);
  return std::nullopt;
}

std::optional<std::string> apply_update(const std::vector<Attribute>* stored, const std::vector<Attribute>& update,
                                        const UpdateSpec& spec, std::string& out) {
  out.clear();
  std::string sum;
  // Stored attributes, in their order, each as updated.
  if (stored != nullptr) {
    for (const Attribute& old : *stored) {
      if (contains(spec.remove, old.name)) continue;
      const Attribute* given = find_attribute(update, old.name);
      if (given == nullptr) {
        append_attribute(out, old.name, old.value);
        continue;
      }
      if (contains(spec.add, given->name)) {
        sum.clear();
        if (auto wrong = add_numbers(old.value, given->value, sum)) return fmt::format("{}: {}", old.name, *wrong);
        append_attribute(out, old.name, sum);
      } else {
        append_attribute(out, old.name, given->value);
      }
    }
  }
  // New attributes, in the update's order.
  for (const Attribute& given : update) {
    if (contains(spec.remove, given.name)) continue;
    if (stored != nullptr && find_attribute(*stored, given.name) != nullptr) continue;
    if (contains(spec.add, given.name)) {
      sum.clear();
      if (auto wrong = add_numbers("0", given.value, sum)) return fmt::format("{}: {}", given.name, *wrong);
      append_attribute(out, given.name, sum);
    } else {
      append_attribute(out, given.name, given.value);
    }
  }
  if (out.empty()) out.push_back('{');
  out.push_back('}');
  return std::nullopt;
}

}  // namespace millrace::table
