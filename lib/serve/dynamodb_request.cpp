#include "serve/dynamodb_request.h"

#include <fmt/format.h>

#include "aws/attribute_value.h"
#include "cli/error.h"
#include "lines/json.h"
#include "serve/api.h"
#include "table/index_entries.h"
#include "table/item.h"
#include "table/schema.h"

namespace millrace::serve::dynamodb {
namespace {

// DynamoDB's limits on key values: a partition key's bytes, a sort key's.
constexpr std::size_t kMaxPartitionKeyBytes = 2048, kMaxSortKeyBytes = 1024;

// The one data type a typed value sets ("" when it sets none or several: the conversion says
// what is wrong with it).
std::string_view kind_of(element value) {
  simdjson::dom::object object;
  if (value.get(object)) return "";
  std::string_view kind;
  for (auto field : object) {
    if (field.value.is_null()) continue;
    if (!kind.empty()) return "";
    kind = field.key;
  }
  return kind;
}

// Checks a key attribute's typed value as DynamoDB does, after its conversion succeeded.
void check_key_value(const store::KeyAttribute& attribute, element value, bool partition) {
  std::string_view kind = kind_of(value);
  if (kind != "S" && kind != "N" && kind != "B") throw validation("Invalid attribute value type");
  if (kind != store::type_name(attribute.type)) throw validation("One or more parameter values were invalid: Type mismatch for key");
  if (kind == "N") return;
  std::string_view text = value[kind].get_string().value_unsafe();
  std::size_t bytes = text.size();
  if (kind == "B") bytes = text.size() / 4 * 3 - (text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0);
  if (bytes == 0)
    throw validation(fmt::format("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                                 "an empty {} value. Key: {}",
                                 kind == "S" ? "string" : "binary", attribute.name));
  if (bytes > (partition ? kMaxPartitionKeyBytes : kMaxSortKeyBytes))
    throw validation("Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
}

// The store key and expiry of the plain item `json`, through the key schema's one implementation.
void store_key(const store::TableMeta& table, StoreItem& item) {
  thread_local table::ItemParser parser;
  const std::vector<table::Attribute>* attributes = parser.split(item.json);
  if (attributes == nullptr) throw validation("the item cannot be read");  // made by append_plain_item: never
  if (auto problem = table::item_key(table, *attributes, item.key))
    throw validation("One or more parameter values were invalid: " + *problem);
  item.expires_ms = table::expiry(table, *attributes);
  if (table.indexes.empty()) return;
  std::optional<table::IndexProblem> problem = table::index_problem(table, *attributes, item.key);
  if (!problem) return;
  switch (problem->fault) {
    case table::IndexProblem::Fault::wrong_type:
      throw validation("One or more parameter values were invalid: Type mismatch for Index Key");
    case table::IndexProblem::Fault::empty: {
      const table::Attribute* value = table::find_attribute(*attributes, problem->attribute);
      throw validation(fmt::format("One or more parameter values are not valid. A value specified for a secondary index key is not "
                                   "supported. The AttributeValue for a key attribute cannot contain an empty {} value. IndexName: "
                                   "{}, IndexKey: {}",
                                   value != nullptr && value->is_string() ? "string" : "binary", problem->index, problem->attribute));
    }
    case table::IndexProblem::Fault::too_long: throw validation("One or more parameter values were invalid: " + problem->text);
  }
}

}  // namespace

std::string Context::table_arn(std::string_view table) const {
  return fmt::format("arn:aws:dynamodb:{}:{}:table/{}", region, kAccountId, table);
}

std::string error_type(std::string_view type) {
  if (type == "ValidationException") return "com.amazon.coral.validate#ValidationException";
  for (std::string_view service : {"SerializationException", "UnrecognizedClientException", "InvalidSignatureException",
                                   "IncompleteSignatureException", "MissingAuthenticationTokenException", "AccessDeniedException"})
    if (type == service) return fmt::format("com.amazon.coral.service#{}", type);
  return fmt::format("com.amazonaws.dynamodb.v20120810#{}", type);
}

simdjson::dom::array array_of(simdjson::simdjson_result<element> member) {
  simdjson::dom::array array;
  if (member.get(array)) {
    static simdjson::dom::parser empty_parser;
    static const simdjson::dom::element empty = empty_parser.parse(std::string_view("[]")).value();
    return empty.get_array().value_unsafe();
  }
  return array;
}

simdjson::dom::object object_of(simdjson::simdjson_result<element> member) {
  simdjson::dom::object object;
  if (member.get(object)) {
    static simdjson::dom::parser empty_parser;
    static const simdjson::dom::element empty = empty_parser.parse(std::string_view("{}")).value();
    return empty.get_object().value_unsafe();
  }
  return object;
}

ApiAnswer answer_of(const aws::ApiError& error) {
  return ApiAnswer::of(aws::ApiError{error.status, error_type(error.type), error.message, error.members});
}

aws::ApiError validation(std::string message) { return aws::ApiError{400, "ValidationException", std::move(message)}; }

aws::ApiError no_table() {
  return aws::ApiError{400, "ResourceNotFoundException", "Cannot do operations on a non-existent table"};
}

store::TableMeta table_named(const store::Txn& txn, std::string_view name) {
  auto table = store::find_table(txn, name);
  if (!table) throw no_table();
  return *table;
}

StoreItem key_of(const store::TableMeta& table, element key, KeyRole role) {
  simdjson::dom::object object = key.get_object().value_unsafe();  // a map: the model says so
  std::size_t wanted = table.sort ? 2 : 1;
  if (object.size() != wanted)
    throw validation(role == KeyRole::key ? "The number of conditions on the keys is invalid"
                                          : "Exclusive Start Key must have same size as table's key schema");
  StoreItem item;
  aws::Decoded decoded = aws::append_plain_item(item.json, key);
  if (decoded.error) throw *decoded.error;
  auto check = [&](const store::KeyAttribute& attribute, bool partition) {
    element value;
    if (object[attribute.name].get(value)) throw validation("One of the required keys was not given a value");
    check_key_value(attribute, value, partition);
  };
  check(table.partition, true);
  if (table.sort) check(*table.sort, false);
  item.size = decoded.size;
  store_key(table, item);
  return item;
}

StoreItem item_of(const store::TableMeta& table, element typed) {
  StoreItem item;
  aws::Decoded decoded = aws::append_plain_item(item.json, typed);
  if (decoded.error) throw *decoded.error;
  auto check = [&](const store::KeyAttribute& attribute, bool partition) {
    element value;
    if (typed[attribute.name].get(value)) throw validation("One of the required keys was not given a value");
    check_key_value(attribute, value, partition);
  };
  check(table.partition, true);
  if (table.sort) check(*table.sort, false);
  if (decoded.size > store::kMaxItemBytes) throw validation("Item size has exceeded the maximum allowed size");
  item.size = decoded.size;
  store_key(table, item);
  return item;
}

StoreItem updated_item_of(const store::TableMeta& table, std::string json) {
  thread_local aws::ItemEncoder encoder;
  StoreItem item;
  item.size = encoder.item_size(json).value_or(json.size());  // an object: the update made it
  if (item.size > store::kMaxItemBytes) throw validation("Item size to update has exceeded the maximum allowed size");
  item.json = std::move(json);
  store_key(table, item);
  return item;
}

expr::dynamo::KeySchema key_schema(const store::TableMeta& table, const store::IndexMeta* index) {
  if (index != nullptr) return {index->partition, index->sort};
  return {table.partition, table.sort};
}

std::string start_key_of(const store::TableMeta& table, const store::IndexMeta* index, element key) {
  if (index == nullptr) return key_of(table, key, KeyRole::start_key).key;
  // The attributes of the table's key and of the index's, each once.
  std::vector<std::pair<const store::KeyAttribute*, bool>> wanted;  // attribute, partition
  auto want = [&](const store::KeyAttribute* attribute, bool partition) {
    if (attribute == nullptr) return;
    for (const auto& known : wanted)
      if (known.first->name == attribute->name) return;
    wanted.emplace_back(attribute, partition);
  };
  want(&index->partition, true);
  want(index->sort ? &*index->sort : nullptr, false);
  want(&table.partition, true);
  want(table.sort ? &*table.sort : nullptr, false);
  simdjson::dom::object object = key.get_object().value_unsafe();
  if (object.size() != wanted.size()) throw validation("The provided starting key is invalid");
  for (const auto& [attribute, partition] : wanted) {
    element value;
    if (object[attribute->name].get(value)) throw validation("The provided starting key is invalid");
    check_key_value(*attribute, value, partition);
  }
  std::string plain, item_key, entry_key, projected;
  aws::Decoded decoded = aws::append_plain_item(plain, key);
  if (decoded.error) throw *decoded.error;
  thread_local table::ItemParser parser;
  const std::vector<table::Attribute>* attributes = parser.split(plain);
  if (attributes == nullptr || table::item_key(table, *attributes, item_key) ||
      !table::index_entry(table, *index, *attributes, item_key, entry_key, projected))
    throw validation("The provided starting key is invalid");
  return entry_key;
}

void append_typed_key(std::string& out, const store::TableMeta& table, std::string_view plain_item,
                      const store::IndexMeta* index) {
  thread_local table::ItemParser parser;
  thread_local aws::ItemEncoder encoder;
  const std::vector<table::Attribute>* attributes = parser.split(plain_item);
  out.push_back('{');
  auto append = [&](const store::KeyAttribute& attribute) {
    const table::Attribute* value = attributes ? table::find_attribute(*attributes, attribute.name) : nullptr;
    lines::append_json_string(out, attribute.name);
    out.push_back(':');
    if (value == nullptr || !encoder.append_typed_value(out, value->value)) out.append("{\"NULL\":true}");  // never: a key
  };
  append(table.partition);
  if (table.sort) {
    out.push_back(',');
    append(*table.sort);
  }
  if (index != nullptr) {
    for (const store::KeyAttribute* attribute : {&index->partition, index->sort ? &*index->sort : nullptr}) {
      if (attribute == nullptr || attribute->name == table.partition.name || (table.sort && attribute->name == table.sort->name))
        continue;
      out.push_back(',');
      append(*attribute);
    }
  }
  out.push_back('}');
}

}  // namespace millrace::serve::dynamodb
