#include "table/schema.h"

#include <algorithm>
#include <charconv>
#include <variant>

#include <fmt/format.h>

#include "aws/attribute_value.h"
#include "cli/error.h"
#include "lines/json.h"
#include "lines/time.h"
#include "store/names.h"

namespace millrace::table {
std::optional<std::string> disagreement(const store::TableMeta& table, const TableSpec& spec) {
  auto differs = [](const std::optional<std::string>& given, const std::string& actual) {
    return given && *given != actual;
  };
  if (differs(spec.partition, table.partition.name))
    return fmt::format("its partition key is {}, not {}", table.partition.name, *spec.partition);
  if (spec.partition_type && *spec.partition_type != table.partition.type)
    return fmt::format("its partition key {} is of type {}", table.partition.name, type_name(table.partition.type));
  if (spec.sort && !table.sort) return fmt::format("it has no sort key");
  if (table.sort && differs(spec.sort, table.sort->name))
    return fmt::format("its sort key is {}, not {}", table.sort->name, *spec.sort);
  if (table.sort && spec.sort_type && *spec.sort_type != table.sort->type)
    return fmt::format("its sort key {} is of type {}", table.sort->name, type_name(table.sort->type));
  return std::nullopt;
}

namespace {

store::TableMeta create(store::Env& env, const TableSpec& spec, store::KeyType partition_type,
                        std::optional<store::KeyType> sort_type) {
  store::TableMeta table;
  table.name = spec.name;
  table.partition = {*spec.partition, partition_type};
  if (spec.sort) table.sort = store::KeyAttribute{*spec.sort, *sort_type};
  table.ttl = spec.ttl;
  env.write([&](const store::Txn& txn) {
    // Another kv-put may have made it meanwhile: then it must agree.
    if (auto found = store::find_table(txn, spec.name)) {
      if (auto problem = disagreement(*found, spec))
        throw cli::Error(cli::Exit::usage, spec.name, "the table exists, and " + *problem);
      table = *found;
      return;
    }
    table = store::create_table(txn, table, lines::now_ms());
  });
  return table;
}

std::optional<std::string> append_key(std::string& key, const store::KeyAttribute& attribute,
                                      const std::vector<Attribute>& attributes) {
  const Attribute* value = find_attribute(attributes, attribute.name);
  if (value == nullptr) return fmt::format("no key attribute {}", attribute.name);
  if (auto problem = append_key_value(key, attribute, *value)) return problem->text;
  return std::nullopt;
}

std::optional<std::string> check_size(const std::string& key) {
  std::size_t encoded = key.size() - 4;  // after the table's prefix
  if (encoded > store::kMaxKeyBytes)
    return fmt::format("key of {} bytes encoded; the partition and sort key together take at most {} (LMDB's key limit)",
                       encoded, store::kMaxKeyBytes);
  return std::nullopt;
}

}  // namespace

std::optional<KeyValueProblem> append_key_value(std::string& key, const store::KeyAttribute& attribute,
                                                const Attribute& value) {
  using Fault = KeyValueProblem::Fault;
  auto problem = [](Fault fault, std::string text) { return KeyValueProblem{fault, std::move(text)}; };
  if (attribute.type == store::KeyType::string) {
    if (!value.is_string()) return problem(Fault::wrong_type, fmt::format("key attribute {} is not a string", attribute.name));
    if (value.string.empty()) return problem(Fault::empty, fmt::format("key attribute {} is an empty string", attribute.name));
    store::append_string_key(key, value.string);
    return std::nullopt;
  }
  if (attribute.type == store::KeyType::binary) {
    std::optional<std::string> bytes = value.value.starts_with('{') ? aws::plain_binary(value.value) : std::nullopt;
    if (!bytes)
      return problem(Fault::wrong_type, fmt::format("key attribute {} is not a binary ({{\"$B\": base64}})", attribute.name));
    if (bytes->empty()) return problem(Fault::empty, fmt::format("key attribute {} is an empty binary", attribute.name));
    store::append_string_key(key, *bytes);
    return std::nullopt;
  }
  if (!value.is_number()) return problem(Fault::wrong_type, fmt::format("key attribute {} is not a number", attribute.name));
  if (auto invalid = store::append_number_key(key, value.value))
    return problem(Fault::invalid, fmt::format("key attribute {}: {}", attribute.name, *invalid));
  return std::nullopt;
}

std::string attribute_argument(const std::string& field, const std::string& option) {
  std::string name = field.starts_with('/') ? field.substr(1) : field;
  if (field.starts_with('/') && (name.find('/') != std::string::npos || name.find('~') != std::string::npos))
    throw cli::Error(cli::Exit::usage, option, field + ": a key attribute is a top-level name");
  if (name.empty()) throw cli::Error(cli::Exit::usage, option, "an attribute name is not empty");
  return name;
}

std::optional<store::TableMeta> open_table(store::Env& env, const TableSpec& spec) {
  std::optional<store::TableMeta> table;
  env.write([&](const store::Txn& txn) {
    table = store::find_table(txn, spec.name);
    if (!table) return;
    if (auto problem = disagreement(*table, spec))
      throw cli::Error(cli::Exit::usage, spec.name, "the table exists, and " + *problem);
    if (spec.ttl && table->ttl != spec.ttl) set_ttl(txn, *table, spec.ttl);  // UpdateTimeToLive
  });
  if (table) return table;
  if (!spec.create) throw store::no_such_table(spec.name);
  if (!spec.partition) throw cli::Error(cli::Exit::usage, "--create", "needs -k, the partition key");
  if (spec.partition_type && (!spec.sort || spec.sort_type))
    return create(env, spec, *spec.partition_type, spec.sort_type);
  return std::nullopt;
}

std::optional<std::string> schema_from(const TableSpec& spec, const std::vector<Attribute>& attributes,
                                       store::TableMeta& table) {
  auto type_of = [&](const std::string& name, std::optional<store::KeyType> given)
      -> std::variant<store::KeyType, std::string> {
    if (given) return *given;
    const Attribute* value = find_attribute(attributes, name);
    if (value == nullptr) return fmt::format("no key attribute {}", name);
    if (value->is_string()) return store::KeyType::string;
    if (value->is_number()) return store::KeyType::number;
    if (value->value.starts_with('{') && aws::plain_binary(value->value)) return store::KeyType::binary;
    return fmt::format("key attribute {} is neither a string, a number nor a binary", name);
  };
  auto partition = type_of(*spec.partition, spec.partition_type);
  if (auto* problem = std::get_if<std::string>(&partition)) return *problem;
  table.name = spec.name;
  table.partition = {*spec.partition, std::get<store::KeyType>(partition)};
  table.sort.reset();
  if (spec.sort) {
    auto sort = type_of(*spec.sort, spec.sort_type);
    if (auto* problem = std::get_if<std::string>(&sort)) return *problem;
    table.sort = store::KeyAttribute{*spec.sort, std::get<store::KeyType>(sort)};
  }
  return std::nullopt;
}

std::optional<std::string> create_from(store::Env& env, const TableSpec& spec,
                                       const std::vector<Attribute>& attributes, store::TableMeta& table) {
  if (auto problem = schema_from(spec, attributes, table)) return problem;
  table = create(env, spec, table.partition.type, table.sort ? std::optional(table.sort->type) : std::nullopt);
  return std::nullopt;
}

std::optional<std::string> item_key(const store::TableMeta& table, const std::vector<Attribute>& attributes,
                                    std::string& key) {
  key = store::item_key_prefix(table.id);
  if (auto problem = append_key(key, table.partition, attributes)) return problem;
  if (table.sort)
    if (auto problem = append_key(key, *table.sort, attributes)) return problem;
  return check_size(key);
}

std::optional<std::string> append_key_argument(std::string& key, store::KeyType type, std::string_view value) {
  if (type == store::KeyType::number) return store::append_number_key(key, value);
  if (type == store::KeyType::binary) {
    std::string bytes;
    if (!lines::append_base64_decoded(bytes, value)) return fmt::format("a binary key is base64, not {}", value);
    if (bytes.empty()) return std::string("a binary key is not empty");
    store::append_string_key(key, bytes);
    return std::nullopt;
  }
  if (value.empty()) return std::string("a string key is not empty");
  store::append_string_key(key, value);
  return std::nullopt;
}

std::optional<std::string> item_key(const store::TableMeta& table, std::string_view partition,
                                    std::optional<std::string_view> sort, std::string& key) {
  key = store::item_key_prefix(table.id);
  if (auto problem = append_key_argument(key, table.partition.type, partition))
    return fmt::format("{}: {}", table.partition.name, *problem);
  if (table.sort && sort)
    if (auto problem = append_key_argument(key, table.sort->type, *sort))
      return fmt::format("{}: {}", table.sort->name, *problem);
  return check_size(key);
}

void append_keys_json(std::string& out, const store::TableMeta& table, const std::vector<Attribute>& attributes) {
  out.push_back('{');
  auto append = [&](const store::KeyAttribute& attribute) {
    const Attribute* value = find_attribute(attributes, attribute.name);
    lines::append_json_string(out, attribute.name);
    out.push_back(':');
    out.append(value != nullptr ? value->value : "null");
  };
  append(table.partition);
  if (table.sort) {
    out.push_back(',');
    append(*table.sort);
  }
  out.push_back('}');
}

void set_ttl(const store::Txn& txn, store::TableMeta& table, std::optional<std::string> attribute) {
  table.ttl = std::move(attribute);
  // Each item's expiry anew, from the new attribute: gathered first, then written, so that no
  // cursor walks what is being rewritten.
  struct Change {
    std::string key, json;
    store::StoredItem old;
    lines::EpochMs expires_ms;
  };
  std::vector<Change> changes;
  ItemParser parser;
  std::string prefix = store::item_key_prefix(table.id);
  {
    store::Cursor cursor(txn, txn.dbs().items);
    for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
      store::StoredItem item = store::decode_item(cursor.value());
      const std::vector<Attribute>* attributes = parser.split(item.json);
      lines::EpochMs expires_ms = attributes != nullptr ? expiry(table, *attributes) : 0;
      if (expires_ms != item.expires_ms)
        changes.push_back(Change{std::string(cursor.key()), std::string(item.json), item, expires_ms});
    }
  }
  store::ItemWriter items(txn, table);
  for (Change& change : changes) {
    change.old.json = change.json;  // the copy: the cursor's view is gone once items change
    items.put(change.key, change.old, change.expires_ms, change.json);
  }
  store::save_table(txn, table);
}

lines::EpochMs expiry(const store::TableMeta& table, const std::vector<Attribute>& attributes) {
  if (!table.ttl) return 0;
  const Attribute* value = find_attribute(attributes, *table.ttl);
  if (value == nullptr) return 0;
  std::optional<lines::EpochMs> time;
  if (value->is_number()) {
    double number = 0;
    auto [end, ec] = std::from_chars(value->value.data(), value->value.data() + value->value.size(), number);
    if (ec == std::errc()) time = lines::parse_epoch_number(number);
  } else if (value->is_string()) {
    time = lines::parse_iso8601(value->string);
  }
  if (!time) return 0;
  return std::max<lines::EpochMs>(*time, 1);
}

}  // namespace millrace::table
