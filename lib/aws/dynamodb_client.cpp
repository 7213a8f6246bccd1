#include "aws/dynamodb_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "aws/attribute_value.h"
#include "cli/diagnostics.h"
#include "lines/json.h"

namespace millrace::aws {
namespace {

[[noreturn]] void bad_answer(std::string_view where, std::string_view what) {
  throw cli::Error(cli::Exit::unavailable, std::string(where), std::string(what));
}

void open_request(std::string& body, std::string_view table) {
  body.assign("{\"TableName\":");
  lines::append_json_string(body, table);
}

// A KeySchema's HASH and RANGE attributes, their types from `definitions`.
void read_key_schema(simdjson::dom::element holder, simdjson::dom::array definitions, store::KeyAttribute& partition,
                     std::optional<store::KeyAttribute>& sort, std::string_view where) {
  simdjson::dom::array schema;
  if (holder["KeySchema"].get(schema) != simdjson::SUCCESS) bad_answer(where, "DescribeTable: no KeySchema");
  bool has_partition = false;
  for (simdjson::dom::element element : schema) {
    store::KeyAttribute attribute;
    attribute.name = answer_string(element, "AttributeName");
    std::string_view role = answer_string(element, "KeyType");
    if (attribute.name.empty()) bad_answer(where, "DescribeTable: a key attribute without a name");
    bool typed = false;
    for (simdjson::dom::element definition : definitions) {
      if (answer_string(definition, "AttributeName") != attribute.name) continue;
      auto type = store::key_type_named(answer_string(definition, "AttributeType"));
      if (!type) bad_answer(where, "DescribeTable: a key attribute's type is not S, N or B");
      attribute.type = *type;
      typed = true;
    }
    if (!typed) bad_answer(where, fmt::format("DescribeTable: no AttributeDefinitions for {}", attribute.name));
    if (role == "HASH" && !has_partition) {
      partition = std::move(attribute);
      has_partition = true;
    } else if (role == "RANGE" && !sort) {
      sort = std::move(attribute);
    } else {
      bad_answer(where, "DescribeTable: a KeySchema that is not one HASH and at most one RANGE");
    }
  }
  if (!has_partition) bad_answer(where, "DescribeTable: a KeySchema without HASH");
}

}  // namespace

store::TableMeta read_table_description(simdjson::dom::parser& parser, std::string_view body, std::string_view member,
                                        std::string& status, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "DescribeTable");
  simdjson::dom::element table;
  if (doc[member].get(table) != simdjson::SUCCESS || !table.is_object())
    bad_answer(where, fmt::format("DescribeTable: no {}", member));
  store::TableMeta meta;
  meta.name = answer_string(table, "TableName");
  status = answer_string(table, "TableStatus");
  simdjson::dom::array definitions;
  if (table["AttributeDefinitions"].get(definitions) != simdjson::SUCCESS) bad_answer(where, "DescribeTable: no AttributeDefinitions");
  read_key_schema(table, definitions, meta.partition, meta.sort, where);
  for (simdjson::dom::element definition : definitions) {
    auto type = store::key_type_named(answer_string(definition, "AttributeType"));
    std::string_view name = answer_string(definition, "AttributeName");
    if (type && !name.empty()) meta.definitions.push_back({std::string(name), *type});
  }
  for (std::string_view kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
    simdjson::dom::array indexes;
    if (table[kind].get(indexes) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element index : indexes) {
      store::IndexMeta& meta_index = meta.indexes.emplace_back();
      meta_index.name = answer_string(index, "IndexName");
      meta_index.kind = kind.starts_with("Local") ? store::IndexKind::local : store::IndexKind::global;
      read_key_schema(index, definitions, meta_index.partition, meta_index.sort, where);
    }
  }
  std::sort(meta.indexes.begin(), meta.indexes.end(),
            [](const store::IndexMeta& a, const store::IndexMeta& b) { return a.name < b.name; });
  std::int64_t count = 0;
  if (table["ItemCount"].get(count) == simdjson::SUCCESS && count >= 0) meta.items = static_cast<std::uint64_t>(count);
  if (table["TableSizeBytes"].get(count) == simdjson::SUCCESS && count >= 0) meta.bytes = static_cast<std::uint64_t>(count);
  double created = 0;
  if (table["CreationDateTime"].get(created) == simdjson::SUCCESS && created >= 0 && created < 1e11)
    meta.created_ms = static_cast<lines::EpochMs>(std::llround(created * 1000));
  return meta;
}

std::string read_list_tables_answer(simdjson::dom::parser& parser, std::string_view body,
                                    std::vector<std::string>& names, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "ListTables");
  simdjson::dom::array list;
  if (doc["TableNames"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element name : list) {
      std::string_view text;
      if (name.get(text) != simdjson::SUCCESS || text.empty()) bad_answer(where, "ListTables: a name that is not a string");
      names.emplace_back(text);
    }
  }
  return std::string(answer_string(doc, "LastEvaluatedTableName"));
}

std::size_t read_batch_write_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view table,
                                    std::string& unprocessed, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "BatchWriteItem");
  unprocessed.clear();
  simdjson::dom::object all;
  if (doc["UnprocessedItems"].get(all) != simdjson::SUCCESS) return 0;
  std::size_t count = 0;
  for (auto [name, requests] : all) {
    simdjson::dom::array list;
    if (name != table || requests.get(list) != simdjson::SUCCESS)
      bad_answer(where, "BatchWriteItem: UnprocessedItems of another table, or not a list");
    for (simdjson::dom::element request : list)
      if (!request.is_object()) bad_answer(where, "BatchWriteItem: an unprocessed request that is not an object");
    count = list.size();
    if (count > 0) unprocessed = simdjson::minify(list);
  }
  return count;
}

bool read_item_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view member,
                      std::string& plain, std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, member);
  plain.clear();
  simdjson::dom::element item;
  if (doc[member].get(item) != simdjson::SUCCESS) return false;
  if (!item.is_object()) bad_answer(where, fmt::format("{} is not an object", member));
  Decoded decoded = append_plain_item(plain, item);
  if (decoded.error) bad_answer(where, fmt::format("an item DynamoDB would not hold: {}", decoded.error->message));
  return true;
}

std::string read_items_page(simdjson::dom::parser& parser, std::string_view body, std::vector<std::string>& items,
                            std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "Query or Scan");
  simdjson::dom::array list;
  if (doc["Items"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : list) {
      if (!item.is_object()) bad_answer(where, "an item that is not an object");
      std::string& plain = items.emplace_back();
      Decoded decoded = append_plain_item(plain, item);
      if (decoded.error) bad_answer(where, fmt::format("an item DynamoDB would not hold: {}", decoded.error->message));
    }
  }
  simdjson::dom::object last;
  if (doc["LastEvaluatedKey"].get(last) != simdjson::SUCCESS || last.size() == 0) return {};
  return simdjson::minify(last);
}

std::optional<std::string> read_time_to_live_answer(simdjson::dom::parser& parser, std::string_view body,
                                                    std::string_view where) {
  simdjson::dom::element doc = answer_object(parser, body, where, "DescribeTimeToLive");
  simdjson::dom::element description;
  if (doc["TimeToLiveDescription"].get(description) != simdjson::SUCCESS) return std::nullopt;
  std::string_view status = answer_string(description, "TimeToLiveStatus");
  std::string_view attribute = answer_string(description, "AttributeName");
  if ((status != "ENABLED" && status != "ENABLING") || attribute.empty()) return std::nullopt;
  return std::string(attribute);
}

DynamoDBClient::DynamoDBClient(const StoreSpec& store) : client_(store, "dynamodb", kDynamoDBJson) {}

const std::string& DynamoDBClient::call(std::string_view operation, std::string_view table) {
  try {
    return client_.call(operation, body_);
  } catch (const ServiceError& e) {
    if (e.type() == "ResourceNotFoundException" && !table.empty()) throw store::no_such_table(table);
    throw;
  }
}

store::TableMeta DynamoDBClient::describe_table(std::string_view table) {
  open_request(body_, table);
  body_.push_back('}');
  std::string status;
  return read_table_description(parser_, call("DescribeTable", table), "Table", status, client_.endpoint().url);
}

std::optional<std::string> DynamoDBClient::describe_time_to_live(std::string_view table) {
  open_request(body_, table);
  body_.push_back('}');
  return read_time_to_live_answer(parser_, call("DescribeTimeToLive", table), client_.endpoint().url);
}

std::vector<std::string> DynamoDBClient::list_tables() {
  std::vector<std::string> names;
  std::string last;
  do {
    body_.assign("{");
    if (!last.empty()) {
      body_.append("\"ExclusiveStartTableName\":");
      lines::append_json_string(body_, last);
    }
    body_.push_back('}');
    last = read_list_tables_answer(parser_, call("ListTables", {}), names, client_.endpoint().url);
  } while (!last.empty());
  return names;
}

bool DynamoDBClient::create_table(const store::TableMeta& schema) {
  open_request(body_, schema.name);
  auto attribute = [&](const store::KeyAttribute& key, std::string_view member, std::string_view value) {
    body_.append("{\"AttributeName\":");
    lines::append_json_string(body_, key.name);
    body_.append(",\"").append(member).append("\":\"").append(value).append("\"}");
  };
  body_.append(",\"KeySchema\":[");
  attribute(schema.partition, "KeyType", "HASH");
  if (schema.sort) body_.push_back(','), attribute(*schema.sort, "KeyType", "RANGE");
  body_.append("],\"AttributeDefinitions\":[");
  attribute(schema.partition, "AttributeType", store::type_name(schema.partition.type));
  if (schema.sort) body_.push_back(','), attribute(*schema.sort, "AttributeType", store::type_name(schema.sort->type));
  body_.append("],\"BillingMode\":\"PAY_PER_REQUEST\"}");
  bool created = true;
  try {
    call("CreateTable", {});
  } catch (const ServiceError& e) {
    if (e.type() != "ResourceInUseException") throw;
    created = false;
  }
  // A new table is CREATING for a while (seconds on AWS); items are taken once it is ACTIVE.
  wait_until(schema.name, "created", "not ACTIVE", [&] {
    open_request(body_, schema.name);
    body_.push_back('}');
    std::string status;
    read_table_description(parser_, call("DescribeTable", schema.name), "Table", status, client_.endpoint().url);
    return status == "ACTIVE";
  });
  return created;
}

void DynamoDBClient::update_time_to_live(std::string_view table, std::string_view attribute) {
  if (describe_time_to_live(table) == attribute) return;
  open_request(body_, table);
  body_.append(",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":");
  lines::append_json_string(body_, attribute);
  body_.append("}}");
  call("UpdateTimeToLive", table);
}

void DynamoDBClient::batch_write(std::string_view table, std::span<const std::string> requests) {
  std::string list = "[";
  for (const std::string& request : requests) list.append(list.size() > 1 ? "," : "").append(request);
  list.push_back(']');
  std::string unprocessed;
  for (int attempt = 1;; ++attempt) {
    body_.assign("{\"RequestItems\":{");
    lines::append_json_string(body_, table);
    body_.append(":").append(list).append("}}");
    std::size_t left = read_batch_write_answer(parser_, call("BatchWriteItem", table), table, unprocessed, client_.endpoint().url);
    if (left == 0) return;
    // Unprocessed items are throttling by another name: AWS's back-off, then the rest again.
    if (attempt >= client_.retry().max_attempts())
      throw cli::Error(cli::Exit::temp_fail, client_.endpoint().url,
                       fmt::format("BatchWriteItem: {} items still unprocessed after {} attempts; try again later",
                                   left, attempt));
    auto wait = client_.retry().backoff(attempt);
    cli::note(client_.endpoint().url, "BatchWriteItem: {} items unprocessed; attempt {} of {} in {} ms", left,
              attempt + 1, client_.retry().max_attempts(), wait.count());
    std::this_thread::sleep_for(wait);
    list = std::move(unprocessed);
  }
}

bool DynamoDBClient::write_item(std::string_view table, const WriteRequest& request, std::string* returned) {
  open_request(body_, table);
  body_.append(request.kind == ItemWrite::put ? ",\"Item\":" : ",\"Key\":").append(request.item);
  if (!request.update.empty()) {
    body_.append(",\"UpdateExpression\":");
    lines::append_json_string(body_, request.update);
  }
  if (!request.condition.empty()) {
    body_.append(",\"ConditionExpression\":");
    lines::append_json_string(body_, request.condition);
  }
  request.attributes.append_members(body_);
  if (!request.return_values.empty()) body_.append(",\"ReturnValues\":\"").append(request.return_values).append("\"");
  body_.push_back('}');
  std::string_view operation = request.kind == ItemWrite::put      ? "PutItem"
                               : request.kind == ItemWrite::update ? "UpdateItem"
                                                                   : "DeleteItem";
  try {
    const std::string& answer = call(operation, table);
    if (returned != nullptr) read_item_answer(parser_, answer, "Attributes", *returned, client_.endpoint().url);
    return true;
  } catch (const ServiceError& e) {
    if (e.type() != "ConditionalCheckFailedException") throw;
    return false;
  }
}

std::optional<std::string> DynamoDBClient::get_item(std::string_view table, std::string_view key) {
  open_request(body_, table);
  body_.append(",\"Key\":").append(key).append(",\"ConsistentRead\":true}");
  std::string plain;
  if (!read_item_answer(parser_, call("GetItem", table), "Item", plain, client_.endpoint().url)) return std::nullopt;
  return plain;
}

std::string DynamoDBClient::read(std::string_view operation, std::string_view table, const ReadRequest& request,
                                 std::vector<std::string>& items) {
  open_request(body_, table);
  if (!request.index.empty()) {
    body_.append(",\"IndexName\":");
    lines::append_json_string(body_, request.index);
  } else {
    body_.append(",\"ConsistentRead\":true");  // a global index cannot be read so
  }
  if (!request.key_condition.empty()) {
    body_.append(",\"KeyConditionExpression\":");
    lines::append_json_string(body_, request.key_condition);
  }
  request.attributes.append_members(body_);
  if (!request.forward) body_.append(",\"ScanIndexForward\":false");
  if (request.limit > 0) body_.append(fmt::format(",\"Limit\":{}", request.limit));
  if (!request.start_key.empty()) body_.append(",\"ExclusiveStartKey\":").append(request.start_key);
  body_.push_back('}');
  return read_items_page(parser_, call(operation, table), items, client_.endpoint().url);
}

std::string DynamoDBClient::query(std::string_view table, const ReadRequest& request, std::vector<std::string>& items) {
  return read("Query", table, request, items);
}

std::string DynamoDBClient::scan(std::string_view table, const ReadRequest& request, std::vector<std::string>& items) {
  return read("Scan", table, request, items);
}

}  // namespace millrace::aws
