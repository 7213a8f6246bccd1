#include "serve/dynamodb_tables.h"

#include <fmt/format.h>

#include <iterator>
#include <vector>

#include "cli/error.h"
#include "lines/json.h"
#include "store/keys.h"
#include "store/tags.h"
#include "table/get.h"
#include "table/schema.h"

namespace millrace::serve::dynamodb {
namespace {

// ListTables' page when the request gives no Limit: DynamoDB's.
constexpr std::int64_t kDefaultListLimit = 100;

aws::ApiError in_use() { return aws::ApiError{400, "ResourceInUseException", "Cannot create preexisting table"}; }

void refuse_indexes(element request) {
  for (std::string_view member : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes", "GlobalSecondaryIndexUpdates"}) {
    element value;
    if (!request[member].get(value) && !value.is_null()) throw validation(fmt::format("{} are not supported yet", member));
  }
}

// TableDescription: what DescribeTable, CreateTable, UpdateTable and DeleteTable answer, in
// DynamoDB Local's order. LastIncrease/DecreaseDateTime and NumberOfDecreasesToday are
// DynamoDB Local's zeros: throughput is metadata here, never raised or lowered by the service.
void append_description(std::string& out, const Context& context, const store::TableMeta& table, std::string_view status) {
  out.push_back('{');
  table::append_key_schema(out, table);
  out.append(",\"TableName\":").append(lines::json_string(table.name));
  fmt::format_to(std::back_inserter(out),
                 ",\"TableStatus\":\"{}\",\"CreationDateTime\":{},\"ProvisionedThroughput\":{{\"LastIncreaseDateTime\":0.000,"
                 "\"LastDecreaseDateTime\":0.000,\"NumberOfDecreasesToday\":0,\"ReadCapacityUnits\":{},\"WriteCapacityUnits\":{}}},"
                 "\"TableSizeBytes\":{},\"ItemCount\":{},\"TableArn\":{}",
                 status, epoch_seconds(table.created_ms), table.read_units, table.write_units, table.bytes, table.items,
                 lines::json_string(context.table_arn(table.name)));
  if (table.on_demand_since_ms != 0)
    fmt::format_to(std::back_inserter(out), ",\"BillingModeSummary\":{{\"BillingMode\":\"{}\",\"LastUpdateToPayPerRequestDateTime\":{}}}",
                   table.billing == store::BillingMode::pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED",
                   epoch_seconds(table.on_demand_since_ms));
  fmt::format_to(std::back_inserter(out), ",\"DeletionProtectionEnabled\":{}}}", table.deletion_protection);
}

std::string description(const Context& context, std::string_view wrapper, const store::TableMeta& table,
                        std::string_view status = "ACTIVE") {
  std::string out = fmt::format("{{\"{}\":", wrapper);
  append_description(out, context, table, status);
  return out + "}";
}

std::string table_name(element request) { return std::string(string_member(request, "TableName").value_or("")); }

// The key schema of CreateTable, checked as DynamoDB Local checks it.
void read_key_schema(element request, store::TableMeta& table) {
  std::vector<std::pair<std::string_view, std::string_view>> keys;  // name, HASH or RANGE
  for (element key : array_of(request["KeySchema"]))
    keys.emplace_back(string_member(key, "AttributeName").value_or(""), string_member(key, "KeyType").value_or(""));
  std::size_t hashes = 0;
  for (const auto& key : keys) hashes += key.second == "HASH";
  if (hashes == 0) throw validation("No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
  if (hashes > 1) throw validation("Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
  if (keys.size() == 2 && keys[0].first == keys[1].first) throw validation("Two keys can not have the same name");
  if (keys[0].second != "HASH")
    throw validation("Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");

  std::vector<std::pair<std::string_view, std::string_view>> definitions;  // name, S, N or B
  for (element definition : array_of(request["AttributeDefinitions"])) {
    std::string_view name = string_member(definition, "AttributeName").value_or("");
    for (const auto& known : definitions)
      if (known.first == name) throw validation("Cannot have two attributes with the same name");
    definitions.emplace_back(name, string_member(definition, "AttributeType").value_or(""));
  }
  if (definitions.size() != keys.size())
    throw validation("The number of attributes in key schema must match the number of attributes defined in attribute definitions.");
  auto type_of = [&](std::string_view name, std::string_view role) {
    for (const auto& definition : definitions)
      if (definition.first == name) return *store::key_type_named(definition.second);  // S, N or B: the model's enum
    throw validation(fmt::format("{} Key not specified in Attribute Definitions.  Type unknown.", role));
  };
  table.partition = {std::string(keys[0].first), type_of(keys[0].first, "Hash")};
  if (keys.size() == 2) table.sort = store::KeyAttribute{std::string(keys[1].first), type_of(keys[1].first, "Range")};
}

// The throughput of `request`, when it gives one.
std::optional<std::pair<std::int64_t, std::int64_t>> throughput(element request) {
  element given;
  if (request["ProvisionedThroughput"].get(given) || given.is_null()) return std::nullopt;
  return std::pair{integer_member(given, "ReadCapacityUnits").value_or(0), integer_member(given, "WriteCapacityUnits").value_or(0)};
}

// The table a tagging request's ResourceArn names (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME,
// any region and account: a store has one of each, and the SDKs send theirs).
store::TableMeta tagged_table(const store::Txn& txn, std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:dynamodb:";
  std::size_t table_at = arn.find(":table/");
  std::string_view name = table_at == std::string_view::npos ? "" : arn.substr(table_at + 7);
  if (!arn.starts_with(kPrefix) || name.size() < 3 || name.find('/') != std::string_view::npos)
    throw validation(fmt::format("Invalid TableArn: Invalid ResourceArn provided as input {}", arn));
  auto table = store::find_table(txn, name);
  if (!table)
    throw aws::ApiError{400, "ResourceNotFoundException", fmt::format("Requested resource not found: ResourcArn: {} not found", arn)};
  return *table;
}

void save_request_tags(const store::Txn& txn, std::uint32_t table_id, element tags) {
  store::Tags stored = store::load_tags(txn, store::keys::table_tags(table_id));
  for (element tag : array_of(tags))
    stored[std::string(string_member(tag, "Key").value_or(""))] = std::string(string_member(tag, "Value").value_or(""));
  store::save_tags(txn, store::keys::table_tags(table_id), stored);
}

}  // namespace

std::string create_table(Context& context, element request) {
  refuse_indexes(request);
  store::TableMeta table;
  table.name = table_name(request);
  read_key_schema(request, table);
  std::string_view billing = string_member(request, "BillingMode").value_or("PROVISIONED");
  auto units = throughput(request);
  if (billing == "PROVISIONED") {
    if (!units) throw validation("No provisioned throughput specified for the table");
    table.billing = store::BillingMode::provisioned;
    std::tie(table.read_units, table.write_units) = *units;
  }
  table.deletion_protection = bool_member(request, "DeletionProtectionEnabled").value_or(false);
  context.env.write([&](const store::Txn& txn) {
    if (store::find_table(txn, table.name)) throw in_use();
    table = store::create_table(txn, table, lines::now_ms());
    element tags;
    if (!request["Tags"].get(tags) && !tags.is_null()) save_request_tags(txn, table.id, tags);
  });
  return description(context, "TableDescription", table);
}

std::string delete_table(Context& context, element request) {
  std::string name = table_name(request);
  store::TableMeta table;
  context.env.write([&](const store::Txn& txn) {
    table = table_named(txn, name);
    if (table.deletion_protection)
      throw validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
    store::delete_table(txn, name);
  });
  // DynamoDB answers DELETING (its deletion goes on after the answer); here it is done already.
  return description(context, "TableDescription", table, "DELETING");
}

std::string describe_table(Context& context, element request) {
  store::ReadTxn reader(context.env);
  return description(context, "Table", table_named(reader.renew(), table_name(request)));
}

std::string list_tables(Context& context, element request) {
  std::int64_t limit = integer_member(request, "Limit").value_or(kDefaultListLimit);
  std::optional<std::string_view> after = string_member(request, "ExclusiveStartTableName");
  store::ReadTxn reader(context.env);
  std::string names, last;
  std::int64_t count = 0;
  bool more = false;
  for (const store::TableMeta& table : store::list_tables(reader.renew())) {
    if (after && table.name <= *after) continue;
    if (count == limit) {
      more = true;
      break;
    }
    if (count++ > 0) names.push_back(',');
    names += lines::json_string(table.name);
    last = table.name;
  }
  std::string out = fmt::format("{{\"TableNames\":[{}]", names);
  if (more) out += ",\"LastEvaluatedTableName\":" + lines::json_string(last);
  return out + "}";
}

std::string update_table(Context& context, element request) {
  refuse_indexes(request);
  std::optional<std::string_view> billing = string_member(request, "BillingMode");
  auto units = throughput(request);
  std::optional<bool> protection = bool_member(request, "DeletionProtectionEnabled");
  if (!billing && !units && !protection) throw validation("Nothing to update");
  std::string name = table_name(request);
  store::TableMeta table;
  context.env.write([&](const store::Txn& txn) {
    table = table_named(txn, name);
    bool provisioned = billing ? *billing == "PROVISIONED" : table.billing == store::BillingMode::provisioned;
    if (provisioned) {
      if (!units && table.billing != store::BillingMode::provisioned) throw validation("No provisioned throughput specified for the table");
      if (units && !billing && table.billing == store::BillingMode::provisioned && !protection &&
          *units == std::pair{table.read_units, table.write_units})
        throw validation("The requested throughput value equals the current value");
      if (units) std::tie(table.read_units, table.write_units) = *units;
      table.billing = store::BillingMode::provisioned;
    } else if (table.billing != store::BillingMode::pay_per_request) {
      // On demand: throughput given with it is ignored, as DynamoDB Local ignores it.
      table.billing = store::BillingMode::pay_per_request;
      table.on_demand_since_ms = lines::now_ms();
      table.read_units = table.write_units = 0;
    }
    if (protection) table.deletion_protection = *protection;
    store::save_table(txn, table);
  });
  return description(context, "TableDescription", table);
}

std::string update_time_to_live(Context& context, element request) {
  std::string name = table_name(request);
  element specification = request["TimeToLiveSpecification"].value_unsafe();
  bool enable = bool_member(specification, "Enabled").value_or(false);
  std::string attribute(string_member(specification, "AttributeName").value_or(""));
  context.env.write([&](const store::Txn& txn) {
    store::TableMeta table = table_named(txn, name);
    if (table.ttl && *table.ttl != attribute) throw validation("TimeToLive is active on a different AttributeName");
    if (enable && table.ttl) throw validation("TimeToLive is already enabled");
    if (!enable && !table.ttl) throw validation("TimeToLive is already disabled");
    table::set_ttl(txn, table, enable ? std::optional(attribute) : std::nullopt);
  });
  return fmt::format("{{\"TimeToLiveSpecification\":{{\"Enabled\":{},\"AttributeName\":{}}}}}", enable, lines::json_string(attribute));
}

std::string describe_time_to_live(Context& context, element request) {
  store::ReadTxn reader(context.env);
  store::TableMeta table = table_named(reader.renew(), table_name(request));
  if (!table.ttl) return "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"DISABLED\"}}";
  return fmt::format("{{\"TimeToLiveDescription\":{{\"TimeToLiveStatus\":\"ENABLED\",\"AttributeName\":{}}}}}",
                     lines::json_string(*table.ttl));
}

std::string tag_resource(Context& context, element request) {
  std::string_view arn = string_member(request, "ResourceArn").value_or("");
  element tags = request["Tags"].value_unsafe();
  context.env.write([&](const store::Txn& txn) {
    store::TableMeta table = tagged_table(txn, arn);
    if (array_of(tags).size() == 0) throw validation("Atleast one Tag needs to be provided as Input.");
    save_request_tags(txn, table.id, tags);
  });
  return "";
}

std::string untag_resource(Context& context, element request) {
  std::string_view arn = string_member(request, "ResourceArn").value_or("");
  simdjson::dom::array keys = array_of(request["TagKeys"]);
  context.env.write([&](const store::Txn& txn) {
    store::TableMeta table = tagged_table(txn, arn);
    if (keys.size() == 0) throw validation("Atleast one Tag Key needs to be provided as Input.");
    store::Tags stored = store::load_tags(txn, store::keys::table_tags(table.id));
    for (element key : keys) stored.erase(std::string(key.get_string().value_unsafe()));
    store::save_tags(txn, store::keys::table_tags(table.id), stored);
  });
  return "";
}

std::string list_tags_of_resource(Context& context, element request) {
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  store::TableMeta table = tagged_table(txn, string_member(request, "ResourceArn").value_or(""));
  std::string out = "{\"Tags\":[";
  bool first = true;
  for (const auto& [key, value] : store::load_tags(txn, store::keys::table_tags(table.id))) {
    out.append(first ? "{\"Key\":" : ",{\"Key\":").append(lines::json_string(key));
    out.append(",\"Value\":").append(lines::json_string(value)).push_back('}');
    first = false;
  }
  return out + "]}";
}

}  // namespace millrace::serve::dynamodb
