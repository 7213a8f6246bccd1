#include "table/get.h"

#include <fmt/format.h>

#include "cli/error.h"
#include "lines/json.h"
#include "lines/time.h"
#include "metrics/dynamodb.h"
#include "metrics/last_hour.h"
#include "store/tables.h"
#include "table/index_entries.h"
#include "table/schema.h"

namespace millrace::table {
namespace {

// The first key after every key that starts with `prefix` (nullopt: there is none).
std::optional<std::string> after_prefix(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// Writes the live items of `range` that satisfy options.where, in key order or reversed.
std::uint64_t write_range(const store::Txn& txn, const KeyRange& range, const ReadOptions& options,
                          lines::Writer& out) {
  simdjson::dom::parser parser;
  std::uint64_t written = 0;
  for_each_item(txn, range, options.reverse, std::nullopt, [&](std::string_view, std::string_view json) {
    if (options.where) {
      simdjson::dom::element root;
      if (parser.parse(json.data(), json.size()).get(root) || !options.where->matches(root)) return true;
    }
    out.buffer().append(json).push_back('\n');
    out.maybe_flush();
    return ++written != options.limit;
  });
  return written;
}

}  // namespace

void for_each_item(const store::Txn& txn, const KeyRange& range, bool reverse, std::optional<std::string_view> after,
                   const ItemVisitor& visit) {
  lines::EpochMs now = lines::now_ms();
  store::Cursor cursor(txn, range.index != nullptr ? txn.dbs().indexes : txn.dbs().items);
  bool ok;
  if (!reverse) {
    ok = cursor.seek(after && *after >= range.lower ? *after : std::string_view(range.lower));
    while (ok && (!range.above_lower(cursor.key()) || (after && cursor.key() <= *after))) ok = cursor.next();
  } else {
    std::optional<std::string> end = range.upper;
    if (after && (!end || *after <= *end)) end = std::string(*after);
    if (end) {
      ok = cursor.seek(*end) || cursor.last();
      while (ok && (!range.below_upper(cursor.key()) || (after && cursor.key() >= *after))) ok = cursor.prev();
    } else {
      std::optional<std::string> past = after_prefix(range.prefix);
      ok = past && cursor.seek(*past) ? cursor.prev() : cursor.last();
    }
  }
  for (; ok && range.contains(cursor.key()); ok = reverse ? cursor.prev() : cursor.next()) {
    if (range.index == nullptr) {
      store::StoredItem item = store::decode_item(cursor.value());
      if (item.expired(now)) continue;
      if (!visit(cursor.key(), item.json)) break;
      continue;
    }
    store::IndexEntryValue entry = store::decode_index_entry(cursor.value());
    if (entry.expired(now)) continue;
    std::string_view json = entry.json;
    if (range.index->projection == store::Projection::all) {  // the entry points to the item
      auto value = txn.get(txn.dbs().items, item_key_of_entry(range.table_id, cursor.key(), entry));
      if (!value) continue;  // never: an entry is removed with its item
      json = store::decode_item(*value).json;
    }
    if (!visit(cursor.key(), json)) break;
  }
}

KeyRange table_range(const store::TableMeta& table, const store::IndexMeta* index) {
  KeyRange range;
  range.index = index;
  range.table_id = table.id;
  range.prefix = range.lower = store::item_key_prefix(index != nullptr ? index->id : table.id);
  return range;
}

const store::IndexMeta& index_or_throw(const store::TableMeta& table, std::string_view name) {
  const store::IndexMeta* index = table.index(name);
  if (index == nullptr) throw cli::Error(cli::Exit::usage, table.name, fmt::format("the table has no index {}", name));
  return *index;
}

KeyRange query_range(const store::TableMeta& table, std::string_view partition, const SortCondition& condition,
                     const store::IndexMeta* index) {
  const store::KeyAttribute& partition_key = index != nullptr ? index->partition : table.partition;
  const std::optional<store::KeyAttribute>& sort_key = index != nullptr ? index->sort : table.sort;
  KeyRange range = table_range(table, index);
  if (auto problem = append_key_argument(range.prefix, partition_key.type, partition))
    throw cli::Error(cli::Exit::usage, "--query", fmt::format("{}: {}", partition_key.name, *problem));
  range.lower = range.prefix;
  using Kind = SortCondition::Kind;
  if (condition.kind == Kind::any) return range;
  if (!sort_key)
    throw cli::Error(cli::Exit::usage, index != nullptr ? index->name : table.name,
                     index != nullptr ? "the index has no sort key to compare" : "the table has no sort key to compare");
  auto bound = [&](const std::string& value) {
    std::string key = range.prefix;
    if (auto problem = append_key_argument(key, sort_key->type, value))
      throw cli::Error(cli::Exit::usage, sort_key->name, *problem);
    return key;
  };
  switch (condition.kind) {
    case Kind::any: break;
    case Kind::begins_with:
      if (sort_key->type == store::KeyType::number)
        throw cli::Error(cli::Exit::usage, "--begins-with", "the sort key " + sort_key->name + " is a number");
      if (sort_key->type == store::KeyType::binary) {
        std::string bytes;
        if (!lines::append_base64_decoded(bytes, condition.value))
          throw cli::Error(cli::Exit::usage, "--begins-with", "a binary prefix is base64, not " + condition.value);
        store::append_string_prefix(range.prefix, bytes);
      } else {
        store::append_string_prefix(range.prefix, condition.value);
      }
      range.lower = range.prefix;
      break;
    case Kind::between:
      range.lower = bound(condition.value);
      range.upper = bound(condition.upper);
      break;
    case Kind::lt: range.upper = bound(condition.value), range.upper_inclusive = false; break;
    case Kind::le: range.upper = bound(condition.value); break;
    case Kind::gt: range.lower = bound(condition.value), range.lower_inclusive = false; break;
    case Kind::ge: range.lower = bound(condition.value); break;
  }
  // An index entry's key goes on after the sort key, with the item's key: an inclusive upper
  // bound takes every key that starts with it (a key's encoding is never the prefix of
  // another's), an exclusive lower bound none of them.
  if (index != nullptr && range.upper && range.upper_inclusive) {
    range.upper = after_prefix(*range.upper);
    range.upper_inclusive = false;
  }
  if (index != nullptr && !range.lower_inclusive) {
    if (auto past = after_prefix(range.lower)) range.lower = *past;
    range.lower_inclusive = true;
  }
  return range;
}

void check_key_count(const store::TableMeta& table, std::optional<std::string_view> sort) {
  if (table.sort && !sort)
    throw cli::Error(cli::Exit::usage, table.name,
                     fmt::format("the table's key is {} and {}: give both, or --query", table.partition.name,
                                 table.sort->name));
  if (!table.sort && sort) throw cli::Error(cli::Exit::usage, table.name, "the table has no sort key");
}

std::optional<std::string_view> find_item(const store::Txn& txn, const store::TableMeta& table,
                                          std::string_view partition, std::optional<std::string_view> sort) {
  check_key_count(table, sort);
  std::string key;
  if (auto problem = item_key(table, partition, sort, key)) throw cli::Error(cli::Exit::usage, table.name, *problem);
  auto value = txn.get(txn.dbs().items, key);
  if (!value) return std::nullopt;
  store::StoredItem item = store::decode_item(*value);
  if (item.expired(lines::now_ms())) return std::nullopt;
  return item.json;
}

bool get_item(store::Env& env, std::string_view table_name, std::string_view partition,
              std::optional<std::string_view> sort, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  std::optional<std::string_view> item = find_item(txn, store::table_or_throw(txn, table_name), partition, sort);
  if (!item) return false;
  out.buffer().append(*item).push_back('\n');
  return true;
}

std::uint64_t query(store::Env& env, std::string_view table_name, std::string_view partition,
                    const SortCondition& condition, const ReadOptions& options, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  store::TableMeta table = store::table_or_throw(txn, table_name);
  const store::IndexMeta* index = options.index.empty() ? nullptr : &index_or_throw(table, options.index);
  return write_range(txn, query_range(table, partition, condition, index), options, out);
}

std::uint64_t scan(store::Env& env, std::string_view table_name, const ReadOptions& options, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  store::TableMeta table = store::table_or_throw(txn, table_name);
  ReadOptions forward = options;
  forward.reverse = false;
  const store::IndexMeta* index = options.index.empty() ? nullptr : &index_or_throw(table, options.index);
  return write_range(txn, table_range(table, index), forward, out);
}

void list_tables(store::Env& env, lines::Writer& out) {
  store::ReadTxn reader(env);
  for (const store::TableMeta& table : store::list_tables(reader.renew())) {
    out.buffer().append("{\"TableName\":");
    lines::append_json_string(out.buffer(), table.name);
    out.buffer().append("}\n");
  }
}

void append_key_schema(std::string& o, const store::TableMeta& table) {
  auto attribute = [&](const store::KeyAttribute& a, std::string_view role, bool definition) {
    o.append("{\"AttributeName\":");
    lines::append_json_string(o, a.name);
    o.append(definition ? ",\"AttributeType\":\"" : ",\"KeyType\":\"").append(definition ? type_name(a.type) : role);
    o.append("\"}");
  };
  o.append("\"KeySchema\":[");
  attribute(table.partition, "HASH", false);
  if (table.sort) {
    o.push_back(',');
    attribute(*table.sort, "RANGE", false);
  }
  o.append("],\"AttributeDefinitions\":[");
  bool first = true;
  for (const store::KeyAttribute& definition : store::attribute_definitions(table)) {
    if (!first) o.push_back(',');
    first = false;
    attribute(definition, "", true);
  }
  o.push_back(']');
}

void append_table_description(std::string& o, const store::TableMeta& table) {
  o.append("{\"TableName\":");
  lines::append_json_string(o, table.name);
  o.push_back(',');
  append_key_schema(o, table);
  fmt::format_to(std::back_inserter(o), ",\"ItemCount\":{},\"TableSizeBytes\":{},\"CreationDateTime\":\"{}\"",
                 table.items, table.bytes, lines::format_iso8601(table.created_ms));
  o.append(",\"TimeToLiveDescription\":{");
  if (table.ttl) {
    o.append("\"AttributeName\":");
    lines::append_json_string(o, *table.ttl);
    o.append(",\"TimeToLiveStatus\":\"ENABLED\"}");
  } else {
    o.append("\"TimeToLiveStatus\":\"DISABLED\"}");
  }
  o.append("}\n");
}

void describe_table(store::Env& env, std::string_view table_name, lines::Writer& out) {
  store::ReadTxn reader(env);
  append_table_description(out.buffer(), store::table_or_throw(reader.renew(), table_name));
}

std::string capacity_last_hour(store::Env& env, std::string_view table, lines::EpochMs now, int columns,
                               metrics::Glyphs glyphs) {
  store::ReadTxn reader(env);
  const store::Txn& txn = reader.renew();
  auto units = [&](const char* name) {
    return metrics::MetricId(std::string(metrics::kDynamoDB), name, {{"TableName", std::string(table)}});
  };
  std::vector<metrics::HourRow> rows = {{"write", units("ConsumedWriteCapacityUnits")}, {"read", units("ConsumedReadCapacityUnits")}};
  return metrics::last_hour_block(txn, "consumed capacity units", rows, now, columns, glyphs);
}

}  // namespace millrace::table
