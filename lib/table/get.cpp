#include "table/get.h"

#include <fmt/format.h>

#include "cli/error.h"
#include "lines/json.h"
#include "lines/time.h"
#include "store/tables.h"
#include "table/schema.h"

namespace millrace::table {
namespace {

// A range of item keys: those that start with `prefix` and lie between the bounds.
struct KeyRange {
  std::string prefix;
  std::string lower;  // at least prefix
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = true;

  bool above_lower(std::string_view key) const { return lower_inclusive ? key >= lower : key > lower; }
  bool below_upper(std::string_view key) const {
    return !upper || (upper_inclusive ? key <= *upper : key < *upper);
  }
  bool contains(std::string_view key) const { return key.starts_with(prefix) && above_lower(key) && below_upper(key); }
};

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
  lines::EpochMs now = lines::now_ms();
  simdjson::dom::parser parser;
  std::uint64_t written = 0;
  store::Cursor cursor(txn, txn.dbs().items);
  bool ok;
  if (!options.reverse) {
    ok = cursor.seek(range.lower);
    if (ok && !range.above_lower(cursor.key())) ok = cursor.next();
  } else if (range.upper) {
    ok = cursor.seek(*range.upper) || cursor.last();
    while (ok && !range.below_upper(cursor.key())) ok = cursor.prev();
  } else {
    std::optional<std::string> end = after_prefix(range.prefix);
    ok = end && cursor.seek(*end) ? cursor.prev() : cursor.last();
  }
  for (; ok && range.contains(cursor.key()); ok = options.reverse ? cursor.prev() : cursor.next()) {
    store::StoredItem item = store::decode_item(cursor.value());
    if (item.expired(now)) continue;
    if (options.where) {
      simdjson::dom::element root;
      if (parser.parse(item.json.data(), item.json.size()).get(root) || !options.where->matches(root)) continue;
    }
    out.buffer().append(item.json).push_back('\n');
    out.maybe_flush();
    if (++written == options.limit) break;
  }
  return written;
}

}  // namespace

bool get_item(store::Env& env, std::string_view table_name, std::string_view partition,
              std::optional<std::string_view> sort, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  store::TableMeta table = store::table_or_throw(txn, table_name);
  if (table.sort && !sort)
    throw cli::Error(cli::Exit::usage, table.name,
                     fmt::format("the table's key is {} and {}: give both, or --query", table.partition.name,
                                 table.sort->name));
  if (!table.sort && sort) throw cli::Error(cli::Exit::usage, table.name, "the table has no sort key");
  std::string key;
  if (auto problem = item_key(table, partition, sort, key)) throw cli::Error(cli::Exit::usage, table.name, *problem);
  auto value = txn.get(txn.dbs().items, key);
  if (!value) return false;
  store::StoredItem item = store::decode_item(*value);
  if (item.expired(lines::now_ms())) return false;
  out.buffer().append(item.json).push_back('\n');
  return true;
}

std::uint64_t query(store::Env& env, std::string_view table_name, std::string_view partition,
                    const SortCondition& condition, const ReadOptions& options, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  store::TableMeta table = store::table_or_throw(txn, table_name);
  KeyRange range;
  range.prefix = store::item_key_prefix(table.id);
  if (auto problem = append_key_argument(range.prefix, table.partition.type, partition))
    throw cli::Error(cli::Exit::usage, "--query", fmt::format("{}: {}", table.partition.name, *problem));
  range.lower = range.prefix;
  using Kind = SortCondition::Kind;
  if (condition.kind != Kind::any) {
    if (!table.sort) throw cli::Error(cli::Exit::usage, table.name, "the table has no sort key to compare");
    auto bound = [&](const std::string& value) {
      std::string key = range.prefix;
      if (auto problem = append_key_argument(key, table.sort->type, value))
        throw cli::Error(cli::Exit::usage, table.sort->name, *problem);
      return key;
    };
    switch (condition.kind) {
      case Kind::any: break;
      case Kind::begins_with:
        if (table.sort->type != store::KeyType::string)
          throw cli::Error(cli::Exit::usage, "--begins-with", "the sort key " + table.sort->name + " is a number");
        store::append_string_prefix(range.prefix, condition.value);
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
  }
  return write_range(txn, range, options, out);
}

std::uint64_t scan(store::Env& env, std::string_view table_name, const ReadOptions& options, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  store::TableMeta table = store::table_or_throw(txn, table_name);
  KeyRange range;
  range.prefix = range.lower = store::item_key_prefix(table.id);
  ReadOptions forward = options;
  forward.reverse = false;
  return write_range(txn, range, forward, out);
}

void list_tables(store::Env& env, lines::Writer& out) {
  store::ReadTxn reader(env);
  for (const store::TableMeta& table : store::list_tables(reader.renew())) {
    out.buffer().append("{\"TableName\":");
    lines::append_json_string(out.buffer(), table.name);
    out.buffer().append("}\n");
  }
}

void describe_table(store::Env& env, std::string_view table_name, lines::Writer& out) {
  store::ReadTxn reader(env);
  store::TableMeta table = store::table_or_throw(reader.renew(), table_name);
  std::string& o = out.buffer();
  auto attribute = [&](const store::KeyAttribute& a, std::string_view role, bool definition) {
    o.append("{\"AttributeName\":");
    lines::append_json_string(o, a.name);
    o.append(definition ? ",\"AttributeType\":\"" : ",\"KeyType\":\"").append(definition ? type_name(a.type) : role);
    o.append("\"}");
  };
  o.append("{\"TableName\":");
  lines::append_json_string(o, table.name);
  for (bool definition : {false, true}) {
    o.append(definition ? ",\"AttributeDefinitions\":[" : ",\"KeySchema\":[");
    attribute(table.partition, "HASH", definition);
    if (table.sort) {
      o.push_back(',');
      attribute(*table.sort, "RANGE", definition);
    }
    o.push_back(']');
  }
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

}  // namespace millrace::table
