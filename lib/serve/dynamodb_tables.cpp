#include "serve/dynamodb_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "cli/error.h"
#include "lines/json.h"
#include "store/keys.h"
#include "store/tags.h"
#include "table/get.h"
#include "table/index_entries.h"
#include "table/schema.h"

namespace millrace::serve::dynamodb {
namespace {

// ListTables' page when the request gives no Limit: DynamoDB's.
constexpr std::int64_t kDefaultListLimit = 100;

aws::ApiError in_use() { return aws::ApiError{400, "ResourceInUseException", "Cannot create preexisting table"}; }

std::optional<std::pair<std::int64_t, std::int64_t>> throughput(element request);

// DynamoDB's limits on the secondary indexes of a table.
constexpr std::size_t kMaxLocalIndexes = 5, kMaxGlobalIndexes = 20, kMaxProjectedAttributes = 100;

// The LocalSecondaryIndexes and GlobalSecondaryIndexes of a TableDescription, in DynamoDB
// Local's order: by name. Every index is ACTIVE: an index made by UpdateTable is whole once the
// answer is given.
void append_indexes(std::string& out, const Context& context, const store::TableMeta& table) {
  for (store::IndexKind kind : {store::IndexKind::local, store::IndexKind::global}) {
    bool first = true;
    for (const store::IndexMeta& index : table.indexes) {
      if (index.kind != kind) continue;
      out.append(first ? (kind == store::IndexKind::local ? ",\"LocalSecondaryIndexes\":[" : ",\"GlobalSecondaryIndexes\":[") : ",");
      first = false;
      out.append("{\"IndexName\":").append(lines::json_string(index.name)).append(",\"KeySchema\":[");
      out.append("{\"AttributeName\":").append(lines::json_string(index.partition.name)).append(",\"KeyType\":\"HASH\"}");
      if (index.sort) out.append(",{\"AttributeName\":").append(lines::json_string(index.sort->name)).append(",\"KeyType\":\"RANGE\"}");
      static constexpr std::string_view kProjections[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
      out.append("],\"Projection\":{\"ProjectionType\":\"").append(kProjections[static_cast<int>(index.projection)]).push_back('"');
      if (index.projection == store::Projection::include) {
        out.append(",\"NonKeyAttributes\":[");
        for (std::size_t i = 0; i < index.non_key.size(); ++i) out.append(i ? "," : "").append(lines::json_string(index.non_key[i]));
        out.push_back(']');
      }
      out.push_back('}');
      if (kind == store::IndexKind::global) {
        out.append(",\"IndexStatus\":\"ACTIVE\"");
        if (index.provisioned)
          fmt::format_to(std::back_inserter(out), ",\"ProvisionedThroughput\":{{\"ReadCapacityUnits\":{},\"WriteCapacityUnits\":{}}}",
                         index.read_units, index.write_units);
      }
      fmt::format_to(std::back_inserter(out), ",\"IndexSizeBytes\":{},\"ItemCount\":{},\"IndexArn\":{}}}", index.bytes, index.items,
                     lines::json_string(context.table_arn(table.name) + "/index/" + index.name));
    }
    if (!first) out.push_back(']');
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
  append_indexes(out, context, table);
  fmt::format_to(std::back_inserter(out), ",\"DeletionProtectionEnabled\":{}}}", table.deletion_protection);
}

std::string description(const Context& context, std::string_view wrapper, const store::TableMeta& table,
                        std::string_view status = "ACTIVE") {
  std::string out = fmt::format("{{\"{}\":", wrapper);
  append_description(out, context, table, status);
  return out + "}";
}

std::string table_name(element request) { return std::string(string_member(request, "TableName").value_or("")); }

// The AttributeDefinitions of a request, in its order, checked for duplicates.
std::vector<store::KeyAttribute> read_definitions(element request) {
  std::vector<store::KeyAttribute> definitions;
  for (element definition : array_of(request["AttributeDefinitions"])) {
    std::string_view name = string_member(definition, "AttributeName").value_or("");
    for (const auto& known : definitions)
      if (known.name == name) throw validation("Cannot have two attributes with the same name");
    // S, N or B: the model's enum
    definitions.push_back({std::string(name), *store::key_type_named(string_member(definition, "AttributeType").value_or("S"))});
  }
  return definitions;
}

const store::KeyAttribute* defined(const std::vector<store::KeyAttribute>& definitions, std::string_view name) {
  for (const store::KeyAttribute& definition : definitions)
    if (definition.name == name) return &definition;
  return nullptr;
}

// A KeySchema (the table's or an index's), checked as DynamoDB Local checks it: the names of its
// HASH and RANGE attributes.
std::pair<std::string_view, std::optional<std::string_view>> read_keys(element schema) {
  std::vector<std::pair<std::string_view, std::string_view>> keys;  // name, HASH or RANGE
  for (element key : array_of(schema))
    keys.emplace_back(string_member(key, "AttributeName").value_or(""), string_member(key, "KeyType").value_or(""));
  std::size_t hashes = 0;
  for (const auto& key : keys) hashes += key.second == "HASH";
  if (hashes == 0) throw validation("No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
  if (hashes > 1) throw validation("Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
  if (keys.size() == 2 && keys[0].first == keys[1].first) throw validation("Two keys can not have the same name");
  if (keys[0].second != "HASH")
    throw validation("Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");
  return {keys[0].first, keys.size() == 2 ? std::optional(keys[1].first) : std::nullopt};
}

// The key schema of CreateTable, checked as DynamoDB Local checks it.
void read_key_schema(element request, store::TableMeta& table) {
  auto [partition, sort] = read_keys(request["KeySchema"].value_unsafe());
  table.definitions = read_definitions(request);
  auto type_of = [&](std::string_view name, std::string_view role) {
    if (const store::KeyAttribute* definition = defined(table.definitions, name)) return definition->type;
    throw validation(fmt::format("{} Key not specified in Attribute Definitions.  Type unknown.", role));
  };
  table.partition = {std::string(partition), type_of(partition, "Hash")};
  if (sort) table.sort = store::KeyAttribute{std::string(*sort), type_of(*sort, "Range")};
}

// A LocalSecondaryIndex or GlobalSecondaryIndex of a request (CreateTable's, or UpdateTable's
// Create), its key attributes from `definitions`.
store::IndexMeta read_index(element given, store::IndexKind kind, const std::vector<store::KeyAttribute>& definitions) {
  store::IndexMeta index;
  index.kind = kind;
  index.name = string_member(given, "IndexName").value_or("");
  auto [partition, sort] = read_keys(given["KeySchema"].value_unsafe());
  auto attribute = [&](std::string_view name) {
    const store::KeyAttribute* definition = defined(definitions, name);
    if (definition == nullptr) throw validation(fmt::format("Attribute {} is not defined in AttributeDefinitions", name));
    return *definition;
  };
  index.partition = attribute(partition);
  if (sort) index.sort = attribute(*sort);
  element projection = given["Projection"].value_unsafe();
  std::string_view type = string_member(projection, "ProjectionType").value_or("ALL");
  index.projection = type == "KEYS_ONLY" ? store::Projection::keys_only : type == "INCLUDE" ? store::Projection::include : store::Projection::all;
  element non_key;
  bool has_non_key = !projection["NonKeyAttributes"].get(non_key) && !non_key.is_null();
  if (index.projection == store::Projection::include && !has_non_key)
    throw validation("If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be specified as well");
  if (index.projection != store::Projection::include && has_non_key)
    throw validation("No attributes should be specified to be projected unless projection type is INCLUDE");
  for (element name : array_of(projection["NonKeyAttributes"])) {
    std::string_view text = name.get_string().value_unsafe();
    for (const std::string& known : index.non_key)
      if (known == text) throw validation("Cannot have two attributes with the same name");
    index.non_key.emplace_back(text);
  }
  if (auto units = throughput(given)) {
    index.provisioned = true;
    std::tie(index.read_units, index.write_units) = *units;
  }
  return index;
}

// The limits of DynamoDB on the indexes of `table`, and their names unique.
void check_indexes(const store::TableMeta& table) {
  std::size_t locals = 0, globals = 0, projected = 0;
  for (const store::IndexMeta& index : table.indexes) {
    (index.kind == store::IndexKind::local ? locals : globals) += 1;
    projected += index.non_key.size();
  }
  if (locals > kMaxLocalIndexes) throw validation(fmt::format("Cannot have more than {} local secondary indexes per table", kMaxLocalIndexes));
  if (globals > kMaxGlobalIndexes) throw validation("GlobalSecondaryIndex count exceeds the per-table limit");
  // DynamoDB Local's words, with DynamoDB's limit (DynamoDB Local still has the old one, 20).
  if (projected > kMaxProjectedAttributes)
    throw validation(fmt::format("No more than {} attributes per table can be projected into Local Secondary Indices", kMaxProjectedAttributes));
  for (const store::IndexMeta& a : table.indexes)
    for (const store::IndexMeta& b : table.indexes) {
      if (&a == &b || a.name != b.name) continue;
      if (a.kind != b.kind) throw validation("Local Secondary Indices AND Global Secondary Indices must have different names");
      throw validation(a.kind == store::IndexKind::global ? "Two global secondary indices have the same name"
                                                          : "Two local secondary indices have the same name");
    }
}

// Whether some key of the table or of an index is the attribute `name`.
bool used(const store::TableMeta& table, std::string_view name) {
  auto is = [&](const std::optional<store::KeyAttribute>& a) { return a && a->name == name; };
  if (table.partition.name == name || is(table.sort)) return true;
  for (const store::IndexMeta& index : table.indexes)
    if (index.partition.name == name || is(index.sort)) return true;
  return false;
}

// CreateTable's LocalSecondaryIndexes and GlobalSecondaryIndexes, checked as DynamoDB Local
// checks them; then every attribute defined must be a key of the table or of an index.
void read_indexes(element request, store::TableMeta& table) {
  element locals, globals;
  bool has_locals = !request["LocalSecondaryIndexes"].get(locals) && !locals.is_null();
  bool has_globals = !request["GlobalSecondaryIndexes"].get(globals) && !globals.is_null();
  if (has_globals && array_of(globals).size() == 0) throw validation("GSI list is empty/invalid");
  if (has_locals && array_of(locals).size() > 0 && !table.sort)
    throw validation("Local Secondary indices are not allowed on hash tables, only hash and range tables");
  for (element given : array_of(request["LocalSecondaryIndexes"])) {
    store::IndexMeta& index = table.indexes.emplace_back(read_index(given, store::IndexKind::local, table.definitions));
    if (index.partition.name != table.partition.name) throw validation("Local Secondary indices must have the same hash key as the main table");
    if (!index.sort) throw validation("Local secondary indices must have a range key");
  }
  for (element given : array_of(request["GlobalSecondaryIndexes"])) {
    store::IndexMeta& index = table.indexes.emplace_back(read_index(given, store::IndexKind::global, table.definitions));
    if (table.billing == store::BillingMode::provisioned && !index.provisioned)
      throw validation("No provisioned throughput specified for the global secondary index");
  }
  check_indexes(table);
  for (const store::KeyAttribute& definition : table.definitions)
    if (!used(table, definition.name))
      throw validation("The number of attributes in key schema must match the number of attributes defined in attribute definitions.");
  std::sort(table.indexes.begin(), table.indexes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
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

// One of UpdateTable's GlobalSecondaryIndexUpdates, applied to `table` in `txn`: Create makes
// the index and gives it an entry for every item, in this one transaction (so it is whole, and
// ACTIVE, when the answer is given; a large table holds the writer for the time it takes);
// Delete deletes it and its entries; Update sets its provisioned throughput.
void update_index(const store::Txn& txn, element request, element update, store::TableMeta& table) {
  element create, remove, change;
  if (!update["Create"].get(create) && !create.is_null()) {
    // The definitions the request adds (DynamoDB Local keeps them all).
    std::vector<store::KeyAttribute> definitions = store::attribute_definitions(table);
    element given;
    if (request["AttributeDefinitions"].get(given) || given.is_null()) throw validation("No Attribute Schema Defined");
    for (const store::KeyAttribute& added : read_definitions(request)) {
      if (const store::KeyAttribute* known = defined(definitions, added.name)) {
        if (known->type != added.type) throw validation("invalid attribute, SchemaElement redefined should be of same type as previously defined");
        continue;
      }
      definitions.push_back(added);
    }
    store::IndexMeta index = read_index(create, store::IndexKind::global, definitions);
    if (table.index(index.name) != nullptr) throw validation("Attempting to create an index which already exists");
    if (table.billing == store::BillingMode::provisioned && !index.provisioned)
      throw validation("No provisioned throughput specified for the global secondary index");
    index.id = store::next_id(txn);
    table.definitions = std::move(definitions);
    table.indexes.push_back(index);
    check_indexes(table);
    table::IndexUpkeep(txn, table).backfill(table.indexes.back());
    std::sort(table.indexes.begin(), table.indexes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return;
  }
  bool deleting = !update["Delete"].get(remove) && !remove.is_null();
  bool changing = !update["Update"].get(change) && !change.is_null();
  if (!deleting && !changing) throw validation("Update global secondary index action is null");
  std::string_view name = string_member(deleting ? remove : change, "IndexName").value_or("");
  auto found = std::find_if(table.indexes.begin(), table.indexes.end(),
                            [&](const store::IndexMeta& index) { return index.name == name && index.kind == store::IndexKind::global; });
  if (found == table.indexes.end())
    throw aws::ApiError{400, "ResourceNotFoundException", fmt::format("Requested resource not found: Index: {} not found", name)};
  if (changing) {
    if (auto units = throughput(change)) {
      found->provisioned = true;
      std::tie(found->read_units, found->write_units) = *units;
    }
    return;
  }
  store::delete_index_entries(txn, found->id);
  table.indexes.erase(found);
  // The definitions of its key attributes go with it, unless another key uses them.
  std::erase_if(table.definitions, [&](const store::KeyAttribute& definition) { return !used(table, definition.name); });
}

}  // namespace

std::string create_table(Context& context, element request) {
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
  read_indexes(request, table);
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
  std::optional<std::string_view> billing = string_member(request, "BillingMode");
  auto units = throughput(request);
  std::optional<bool> protection = bool_member(request, "DeletionProtectionEnabled");
  simdjson::dom::array index_updates = array_of(request["GlobalSecondaryIndexUpdates"]);
  bool has_index_updates = index_updates.size() > 0;
  if (!billing && !units && !protection && !has_index_updates) throw validation("Nothing to update");
  if (index_updates.size() > 1)  // DynamoDB makes or deletes one index at a time
    throw aws::ApiError{400, "LimitExceededException",
                        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"};
  std::string name = table_name(request);
  store::TableMeta table;
  context.env.write([&](const store::Txn& txn) {
    table = table_named(txn, name);
    for (element update : index_updates) update_index(txn, request, update, table);
    if (!billing && !units && !protection) return store::save_table(txn, table);
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
