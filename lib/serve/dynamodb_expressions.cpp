#include "serve/dynamodb_expressions.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "aws/attribute_value.h"
#include "serve/api.h"
#include "table/schema.h"

namespace millrace::serve::dynamodb {
namespace {

// Refuses the first of `members` the request has: the expressions are not merged yet.
void refuse(element request, std::initializer_list<std::string_view> members) {
  for (std::string_view member : members) {
    element value;
    if (!request[member].get(value) && !value.is_null()) throw validation(fmt::format("{} is not supported yet", member));
  }
}

// The substitutions of the expressions, refused with them.
void refuse_substitutions(element request) { refuse(request, {"ExpressionAttributeNames", "ExpressionAttributeValues"}); }

// A value of KeyConditions' AttributeValueList as an argument of its key's type
// (table::append_key_argument): a string as it is, a number in DynamoDB's text, a binary in
// base64.
std::string key_argument(const store::KeyAttribute& attribute, element value) {
  std::string plain;
  aws::Decoded decoded = aws::append_plain_value(plain, value);
  if (decoded.error) throw *decoded.error;
  simdjson::dom::object object = object_of(value);
  std::string_view kind;
  for (auto field : object)
    if (!field.value.is_null()) kind = field.key;
  if (kind != store::type_name(attribute.type))
    throw validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
  if (kind == "N") return plain;  // DynamoDB's text of the number, which JSON's grammar reads
  std::string_view text = object[kind].get_string().value_unsafe();
  if (text.empty())
    throw validation(fmt::format("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                                 "an empty {} value. Key: {}",
                                 kind == "S" ? "string" : "binary", attribute.name));
  if (kind == "B") return std::string(plain.substr(7, plain.size() - 9));  // {"$B":"…"}: the canonical base64
  return std::string(text);
}

}  // namespace

bool WriteCondition::holds(std::optional<std::string_view>) const { return true; }

std::optional<WriteCondition> write_condition(element request) {
  refuse(request, {"ConditionExpression", "Expected", "ConditionalOperator"});
  refuse_substitutions(request);
  return std::nullopt;
}

void Projection::append(std::string& out, std::string_view item) const { out.append(item); }

std::optional<Projection> projection(element request) {
  refuse(request, {"ProjectionExpression", "AttributesToGet"});
  refuse_substitutions(request);
  return std::nullopt;
}

bool Filter::matches(std::string_view) const { return true; }

std::optional<Filter> filter(element request) {
  refuse(request, {"FilterExpression", "QueryFilter", "ScanFilter", "ConditionalOperator"});
  refuse_substitutions(request);
  return std::nullopt;
}

KeyCondition key_condition(element request, const expr::dynamo::KeySchema& table) {
  element conditions;
  bool has_conditions = !request["KeyConditions"].get(conditions) && !conditions.is_null();
  element expression;
  if (!request["KeyConditionExpression"].get(expression) && !expression.is_null()) {
    if (has_conditions)
      throw validation(
          "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
          "{KeyConditions} Expression parameters: {KeyConditionExpression}");
    refuse(request, {"KeyConditionExpression"});
  }
  if (!has_conditions) throw validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  // Every condition on a key attribute, the partition key's among them, before any is read.
  bool partition_given = false;
  for (auto field : object_of(conditions)) {
    partition_given |= field.key == table.partition.name;
    if (field.key != table.partition.name && !(table.sort && field.key == table.sort->name))
      throw validation("Query condition missed key schema element");
  }
  if (!partition_given) throw validation("Query condition missed key schema element");
  KeyCondition result;
  using Kind = table::SortCondition::Kind;
  for (auto field : object_of(conditions)) {
    bool is_partition = field.key == table.partition.name;
    const store::KeyAttribute& attribute = is_partition ? table.partition : *table.sort;
    std::string_view op = string_member(field.value, "ComparisonOperator").value_or("");
    std::vector<element> values;
    for (element value : array_of(field.value["AttributeValueList"])) values.push_back(value);
    static const std::initializer_list<std::pair<std::string_view, Kind>> kOperators = {
        {"EQ", Kind::any}, {"LT", Kind::lt}, {"LE", Kind::le}, {"GT", Kind::gt}, {"GE", Kind::ge},
        {"BEGINS_WITH", Kind::begins_with}, {"BETWEEN", Kind::between}};
    const auto* known = std::find_if(kOperators.begin(), kOperators.end(), [&](const auto& o) { return o.first == op; });
    if (known == kOperators.end() || (is_partition && op != "EQ")) throw validation("Query key condition not supported");
    if (values.size() != (op == "BETWEEN" ? 2u : 1u))
      throw validation(fmt::format("One or more parameter values were invalid: Invalid number of argument(s) for the {} ComparisonOperator", op));
    if (op == "BEGINS_WITH" && attribute.type == store::KeyType::number)
      throw validation("One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type");
    std::string first = key_argument(attribute, values[0]);
    if (is_partition) {
      result.partition = first;
      continue;
    }
    // EQ on the sort key is BETWEEN the value and itself.
    result.sort = {op == "EQ" ? Kind::between : known->second, first, op == "EQ" ? first : ""};
    if (op == "BETWEEN") {
      result.sort.upper = key_argument(attribute, values[1]);
      std::string low, high;
      if (!table::append_key_argument(low, attribute.type, first) && !table::append_key_argument(high, attribute.type, result.sort.upper) &&
          low > high)
        throw validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    }
  }
  return result;
}

void update_item(element) { throw validation("UpdateItem is not supported yet"); }

}  // namespace millrace::serve::dynamodb
