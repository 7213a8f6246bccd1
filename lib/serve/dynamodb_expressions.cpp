#include "serve/dynamodb_expressions.h"

#include <fmt/format.h>

#include "aws/attribute_value.h"
#include "lines/json.h"
#include "serve/api.h"

namespace millrace::serve::dynamodb {
namespace {

using expr::dynamo::ValidationError;

// The member `name` unless absent or null.
std::optional<element> member(element request, std::string_view name) {
  element value;
  if (request[name].get(value) || value.is_null()) return std::nullopt;
  return value;
}

// The plain JSON of one typed value.
std::string plain_value(element typed) {
  std::string out;
  aws::Decoded decoded = aws::append_plain_value(out, typed);
  if (decoded.error) throw *decoded.error;
  return out;
}

// The texts the compiled Request views: the members as given, or rewritten with plain values.
struct Texts {
  std::string key_conditions, expected, query_filter, scan_filter, attribute_updates, attributes_to_get;
};

// An older form's object of attribute name → condition or update (KeyConditions, Expected,
// QueryFilter, ScanFilter, AttributeUpdates), its Value and AttributeValueList made plain.
std::string plain_specs(element specs) {
  std::string out = "{";
  for (auto [name, spec] : object_of(specs)) {
    if (out.size() > 1) out.push_back(',');
    lines::append_json_string(out, name);
    out.append(":{");
    bool first = true;
    for (auto [field, value] : object_of(spec)) {
      if (value.is_null()) continue;
      if (!first) out.push_back(',');
      first = false;
      lines::append_json_string(out, field);
      out.push_back(':');
      if (field == "Value") {
        out.append(plain_value(value));
      } else if (field == "AttributeValueList") {
        out.push_back('[');
        bool first_value = true;
        for (element typed : array_of(value)) {
          if (!first_value) out.push_back(',');
          first_value = false;
          out.append(plain_value(typed));
        }
        out.push_back(']');
      } else {
        out.append(simdjson::minify(value));
      }
    }
    out.push_back('}');
  }
  return out + "}";
}

}  // namespace

expr::dynamo::Expressions expressions(element request, std::string_view operation, const expr::dynamo::KeySchema& keys, Forms forms) {
  expr::dynamo::Request r;
  r.operation = operation;
  auto text = [&](std::string_view name) -> std::optional<std::string_view> {
    if (auto value = member(request, name)) return value->get_string().value_unsafe();  // a string: the model says so
    return std::nullopt;
  };
  r.key_condition_expression = text("KeyConditionExpression");
  r.condition_expression = text("ConditionExpression");
  r.filter_expression = text("FilterExpression");
  r.update_expression = text("UpdateExpression");
  r.projection_expression = text("ProjectionExpression");
  if (forms == Forms::all) r.conditional_operator = text("ConditionalOperator");
  if (auto names = member(request, "ExpressionAttributeNames")) {
    r.names.emplace();
    for (auto [key, name] : object_of(*names)) (*r.names)[std::string(key)] = std::string(name.get_string().value_unsafe());
  }
  if (auto values = member(request, "ExpressionAttributeValues")) {
    r.values.emplace();
    for (auto [key, typed] : object_of(*values)) {
      std::string plain;
      aws::Decoded decoded = aws::append_plain_value(plain, typed);
      if (decoded.error && decoded.error->type == "ValidationException")
        throw validation(fmt::format("ExpressionAttributeValues contains invalid value: {} for key {}", decoded.error->message, key));
      if (decoded.error) throw *decoded.error;
      (*r.values)[std::string(key)] = std::move(plain);
    }
  }
  Texts texts;
  auto older = [&](std::string_view name, std::string& storage, bool specs) -> std::optional<std::string_view> {
    auto value = member(request, name);
    if (!value || forms == Forms::expressions_only) return std::nullopt;
    storage = specs ? plain_specs(*value) : std::string(simdjson::minify(*value));
    return storage;
  };
  r.key_conditions = older("KeyConditions", texts.key_conditions, true);
  r.expected = older("Expected", texts.expected, true);
  r.query_filter = older("QueryFilter", texts.query_filter, true);
  r.scan_filter = older("ScanFilter", texts.scan_filter, true);
  r.attribute_updates = older("AttributeUpdates", texts.attribute_updates, true);
  r.attributes_to_get = older("AttributesToGet", texts.attributes_to_get, false);
  try {
    return expr::dynamo::compile(r, keys);
  } catch (const ValidationError& e) {
    throw validation(e.what());
  }
}

const expr::Document& parsed_item(std::string_view item) {
  thread_local expr::Document document;
  document.parse(item);  // the store's items are JSON objects
  return document;
}

bool holds(const expr::dynamo::Condition& condition, std::optional<std::string_view> item) {
  return condition.matches(item ? &parsed_item(*item) : nullptr);
}

void append_projection(std::string& out, const expr::dynamo::Projection& projection, std::string_view item) {
  projection.apply(parsed_item(item), out);
}

std::string updated_item(const expr::dynamo::Update& update, std::optional<std::string_view> stored, std::string_view key_json) {
  try {
    return update.apply(stored ? &parsed_item(*stored) : nullptr, key_json);
  } catch (const ValidationError& e) {
    throw validation(e.what());
  }
}

}  // namespace millrace::serve::dynamodb
