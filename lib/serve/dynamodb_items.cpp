#include "serve/dynamodb_items.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

#include "aws/attribute_value.h"
#include "cli/error.h"
#include "lines/json.h"
#include "serve/dynamodb_capacity.h"
#include "serve/dynamodb_expressions.h"
#include "serve/dynamodb_item_write.h"
#include "table/get.h"
#include "table/index_entries.h"
#include "table/item.h"

namespace millrace::serve::dynamodb {
namespace {

// DynamoDB's limits: writes of a BatchWriteItem, keys of a BatchGetItem, the bytes a Query or
// Scan page reads, the bytes of a BatchGetItem's answer (the rest is UnprocessedKeys).
constexpr std::size_t kMaxBatchWrites = 25, kMaxBatchGets = 100;
constexpr std::size_t kPageBytes = 1 << 20, kBatchGetBytes = 16 << 20;

// What a write gives back (ReturnValues): PutItem and DeleteItem take NONE and ALL_OLD,
// UpdateItem the others too.
enum class Returned { none, all_old, updated_old, all_new, updated_new };
Returned returned(element request, bool update) {
  std::string_view value = string_member(request, "ReturnValues").value_or("NONE");
  static constexpr std::pair<std::string_view, Returned> kValues[] = {{"NONE", Returned::none},
                                                                      {"ALL_OLD", Returned::all_old},
                                                                      {"UPDATED_OLD", Returned::updated_old},
                                                                      {"ALL_NEW", Returned::all_new},
                                                                      {"UPDATED_NEW", Returned::updated_new}};
  for (const auto& [name, kind] : kValues)
    if (name == value && (update || kind == Returned::none || kind == Returned::all_old)) return kind;
  throw validation("Return values set to invalid value");
}

// ---- reads ------------------------------------------------------------------------------------

// A page of a Query or Scan.
struct Page {
  std::string items;
  std::size_t count = 0, scanned = 0, bytes = 0;
  // A local index's page that fetched its items from the table: the bytes of the index's own
  // entries, and the read units of the items fetched (each item's own).
  std::size_t entry_bytes = 0;
  double fetched_units = 0;
  std::optional<std::string> last;  // the plain item the page ended at, when it ended early
};

struct PageOptions {
  bool consistent = false;  // ConsistentRead
  bool count_only = false;
  bool reverse = false;
  std::size_t limit = 0;  // 0: none
  std::optional<std::string> after;
  std::optional<expr::dynamo::Condition> filter;
  std::optional<expr::dynamo::Projection> projection;
  // Scan's Segment of TotalSegments: the items whose partition key falls in it.
  std::optional<std::pair<std::int64_t, std::int64_t>> segment;
  // IndexName: the index read (nullptr: the table), and, when the request wants attributes the
  // index does not project (a local index's Select ALL_ATTRIBUTES), the same index read as ALL,
  // which fetches each item from the table.
  const store::IndexMeta* index = nullptr;
  std::optional<store::IndexMeta> fetched;
  const store::IndexMeta* read_index() const { return fetched ? &*fetched : index; }
};

// The segment of a parallel Scan that holds the item `json`: its partition key's text, hashed
// (FNV-1a), modulo TotalSegments. Every item is in one segment, a partition's items in one.
std::int64_t segment_of(const store::TableMeta& table, std::string_view json, std::int64_t segments) {
  thread_local table::ItemParser parser;
  const std::vector<table::Attribute>* attributes = parser.split(json);
  const table::Attribute* key = attributes ? table::find_attribute(*attributes, table.partition.name) : nullptr;
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : key ? key->value : std::string_view{}) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return static_cast<std::int64_t>(hash % static_cast<std::uint64_t>(segments));
}

Page read_page(const store::Txn& txn, const store::TableMeta& table, const table::KeyRange& range, const PageOptions& options) {
  Page page;
  std::string projected, entry;
  thread_local table::ItemParser entry_parser;
  std::optional<std::string_view> after;
  if (options.after) after = *options.after;
  table::for_each_item(txn, range, options.reverse, after, [&](std::string_view, std::string_view json) {
    if (options.segment && segment_of(table, json, options.segment->second) != options.segment->first) return true;
    std::size_t size = size_of(json);
    page.bytes += size;
    ++page.scanned;
    if (options.fetched) {  // the item read from the table; the index read for its entry
      page.fetched_units += read_units(size, options.consistent);
      entry.clear();
      if (const std::vector<table::Attribute>* attributes = entry_parser.split(json))
        table::append_entry_projection(entry, table, *options.index, *attributes);
      page.entry_bytes += size_of(entry);
    }
    // The item parsed once, for the filter and the projection alike.
    const expr::Document* item = options.filter || options.projection ? &parsed_item(json) : nullptr;
    if (!options.filter || options.filter->matches(item)) {
      ++page.count;
      if (!options.count_only) {
        std::string_view given = json;
        if (options.projection) {
          projected.clear();
          options.projection->apply(*item, projected);
          given = projected;
        }
        if (page.count > 1) page.items.push_back(',');
        append_typed(page.items, given);
      }
    }
    if ((options.limit != 0 && page.scanned == options.limit) || page.bytes >= kPageBytes) {
      page.last = std::string(json);
      return false;
    }
    return true;
  });
  return page;
}

// The page's answer, its units and items counted in `usage`.
std::string page_answer(const Page& page, const store::TableMeta& table, const PageOptions& options, CapacityDetail detail,
                        ReadUsage& usage) {
  std::string out = "{";
  if (!options.count_only) out.append("\"Items\":[").append(page.items).append("],");
  fmt::format_to(std::back_inserter(out), "\"Count\":{},\"ScannedCount\":{}", page.count, page.scanned);
  if (page.last) {
    out.append(",\"LastEvaluatedKey\":");
    append_typed_key(out, table, *page.last, options.index);
  }
  TableRead& read = usage.tables.emplace_back(TableRead{Consumed(table.name), page.count});
  if (options.index != nullptr) {
    read.consumed.add_index(*options.index, read_units(options.fetched ? page.entry_bytes : page.bytes, options.consistent));
    read.consumed.add_table(page.fetched_units);
  } else {
    read.consumed.add_table(read_units(page.bytes, options.consistent));
  }
  if (detail != CapacityDetail::none) {
    out.append(",\"ConsumedCapacity\":");
    read.consumed.append(out, detail);
  }
  return out + "}";
}

// The index a Query or Scan reads (IndexName), or nullptr for the table.
const store::IndexMeta* index_read(element request, const store::TableMeta& table) {
  std::optional<std::string_view> name = string_member(request, "IndexName");
  if (!name) return nullptr;
  const store::IndexMeta* index = table.index(*name);
  if (index == nullptr) throw validation(fmt::format("The table does not have the specified index: {}", *name));
  if (index->kind == store::IndexKind::global && bool_member(request, "ConsistentRead").value_or(false))
    throw validation("Consistent reads are not supported on global secondary indexes");
  return index;
}

// What Query and Scan read alike of the request, its expressions compiled against the keys of
// `index` (nullptr: the table's). `table` must outlive the options.
PageOptions page_options(element request, const store::TableMeta& table, const store::IndexMeta* index,
                         expr::dynamo::Expressions& expressions) {
  PageOptions options;
  options.index = index;
  options.consistent = bool_member(request, "ConsistentRead").value_or(false);
  options.filter = std::move(expressions.filter);
  options.projection = std::move(expressions.projection);
  std::optional<std::string_view> selected = string_member(request, "Select");
  std::string_view select = selected.value_or(index ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES");
  if (options.projection && (selected == "ALL_ATTRIBUTES" || selected == "ALL_PROJECTED_ATTRIBUTES" || select == "COUNT")) {
    element given;
    std::string_view member = !request["AttributesToGet"].get(given) && !given.is_null() ? "AttributesToGet" : "ProjectionExpression";
    throw validation(fmt::format("Cannot specify the {} when choosing to get {}", member, select == "COUNT" ? "only the Count" : select));
  }
  if (select == "SPECIFIC_ATTRIBUTES" && !options.projection)
    throw validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !options.index)
    throw validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  if (select == "ALL_ATTRIBUTES" && options.index && options.index->projection != store::Projection::all) {
    if (options.index->kind == store::IndexKind::global)
      throw validation(fmt::format("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
                                   "secondary index {} because its projection type is not ALL",
                                   options.index->name));
    options.fetched = *options.index;  // a local index fetches the rest from the table, as DynamoDB's do
    options.fetched->projection = store::Projection::all;
  }
  options.count_only = select == "COUNT";
  options.limit = static_cast<std::size_t>(integer_member(request, "Limit").value_or(0));
  element start;
  if (!request["ExclusiveStartKey"].get(start) && !start.is_null()) options.after = start_key_of(table, options.index, start);
  return options;
}

}  // namespace

std::string get_item(Context& context, element request, ReadUsage& usage) {
  bool consistent = bool_member(request, "ConsistentRead").value_or(false);
  CapacityDetail detail = capacity_detail(request);
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  store::TableMeta table = table_named(txn, string_member(request, "TableName").value_or(""));
  StoreItem key = key_of(table, request["Key"].value_unsafe());
  std::optional<expr::dynamo::Projection> shown = expressions(request, "GetItem", key_schema(table)).projection;
  std::string out = "{";
  std::size_t size = 0;
  TableRead& read = usage.tables.emplace_back(TableRead{Consumed(table.name), 0});
  if (auto value = txn.get(txn.dbs().items, key.key)) {
    store::StoredItem item = store::decode_item(*value);
    if (!item.expired(lines::now_ms())) {
      out.append("\"Item\":");
      std::string projected;
      if (shown) append_projection(projected, *shown, item.json);
      size = size_of(item.json);
      append_typed(out, shown ? std::string_view(projected) : item.json);
      read.items = 1;
    }
  }
  read.consumed.add_table(item_read_units(size, consistent ? ItemRead::consistent : ItemRead::eventual));
  if (detail != CapacityDetail::none) {
    if (out.size() > 1) out.push_back(',');
    out.append("\"ConsumedCapacity\":");
    read.consumed.append(out, detail);
  }
  return out + "}";
}

std::string batch_get_item(Context& context, element request, ReadUsage& usage) {
  simdjson::dom::object tables = object_of(request["RequestItems"]);
  std::size_t keys_count = 0;
  for (auto entry : tables) keys_count += array_of(entry.value["Keys"]).size();
  if (keys_count > kMaxBatchGets) throw validation("Too many items requested for the BatchGetItem call");
  CapacityDetail detail = capacity_detail(request);
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  std::string responses, unprocessed;
  std::vector<Consumed> capacities;
  std::size_t answered = 0;
  for (auto entry : tables) {
    store::TableMeta table = table_named(txn, entry.key);
    std::optional<expr::dynamo::Projection> shown = expressions(entry.value, "BatchGetItem", key_schema(table)).projection;
    bool consistent = bool_member(entry.value, "ConsistentRead").value_or(false);
    std::vector<std::pair<StoreItem, element>> keys;
    for (element typed : array_of(entry.value["Keys"])) {
      StoreItem key = key_of(table, typed);
      for (const auto& known : keys)
        if (known.first.key == key.key) throw validation("Provided list of item keys contains duplicates");
      keys.emplace_back(std::move(key), typed);
    }
    std::string items, left;
    double units = 0;
    std::uint64_t returned = 0;
    lines::EpochMs now = lines::now_ms();
    for (const auto& [key, typed] : keys) {
      auto value = txn.get(txn.dbs().items, key.key);
      std::optional<store::StoredItem> item;
      if (value) item = store::decode_item(*value);
      if (!item || item->expired(now)) continue;
      std::size_t size = size_of(item->json);
      if (answered + size > kBatchGetBytes) {
        if (!left.empty()) left.push_back(',');
        left.append(simdjson::minify(typed));
        continue;
      }
      answered += size;
      ++returned;
      units += item_read_units(size, consistent ? ItemRead::consistent : ItemRead::eventual);
      std::string projected;
      if (shown) append_projection(projected, *shown, item->json);
      if (!items.empty()) items.push_back(',');
      append_typed(items, shown ? std::string_view(projected) : item->json);
    }
    if (!responses.empty()) responses.push_back(',');
    responses.append(lines::json_string(table.name)).append(":[").append(items).push_back(']');
    if (!left.empty()) {
      if (!unprocessed.empty()) unprocessed.push_back(',');
      unprocessed.append(lines::json_string(table.name)).append(":{\"Keys\":[").append(left).append("]");
      if (consistent) unprocessed.append(",\"ConsistentRead\":true");
      unprocessed.push_back('}');
    }
    capacities.emplace_back(table.name).add_table(units);
    usage.tables.push_back(TableRead{capacities.back(), returned});
  }
  std::string out = fmt::format("{{\"Responses\":{{{}}},\"UnprocessedKeys\":{{{}}}", responses, unprocessed);
  if (detail != CapacityDetail::none) {
    out.push_back(',');
    append_capacities(out, capacities, detail);
  }
  return out + "}";
}

std::string query(Context& context, element request, ReadUsage& usage) {
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  store::TableMeta table = table_named(txn, string_member(request, "TableName").value_or(""));
  const store::IndexMeta* index = index_read(request, table);
  expr::dynamo::Expressions compiled = expressions(request, "Query", key_schema(table, index));
  if (!compiled.key) throw validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  const expr::dynamo::KeyCondition& condition = *compiled.key;
  PageOptions options = page_options(request, table, index, compiled);
  options.reverse = !bool_member(request, "ScanIndexForward").value_or(true);
  table::KeyRange range;
  try {
    range = table::query_range(table, condition.partition, condition.sort, options.read_index());
  } catch (const cli::Error& e) {  // values that fit no key: refused when the key condition was compiled
    throw validation(e.what());
  }
  if (options.after && !range.contains(*options.after)) throw validation("The provided starting key does not match the range key predicate");
  Page page = read_page(txn, table, range, options);
  return page_answer(page, table, options, capacity_detail(request), usage);
}

std::string scan(Context& context, element request, ReadUsage& usage) {
  std::optional<std::int64_t> segment = integer_member(request, "Segment"), segments = integer_member(request, "TotalSegments");
  if (segment && !segments) throw validation("If segment is specified, total segment must also be specified");
  if (segments && !segment) throw validation("If total segments is specified, a particular segment must also be specified for this request");
  if (segment && *segment >= *segments)
    throw validation(fmt::format("1 validation error detected: Value '{}' at 'segment' failed to satisfy constraint: Member must have "
                                 "value less than or equal to {}",
                                 *segment, *segments - 1));
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  store::TableMeta table = table_named(txn, string_member(request, "TableName").value_or(""));
  const store::IndexMeta* index = index_read(request, table);
  expr::dynamo::Expressions compiled = expressions(request, "Scan", key_schema(table, index));
  PageOptions options = page_options(request, table, index, compiled);
  if (segment) options.segment = std::pair{*segment, *segments};
  Page page = read_page(txn, table, table::table_range(table, options.read_index()), options);
  return page_answer(page, table, options, capacity_detail(request), usage);
}

// ---- writes -----------------------------------------------------------------------------------

namespace {

// Queues `action` (a PutItem, DeleteItem or UpdateItem), answering with what `wanted` asks of
// the item (`changed`: the paths an update names, for UPDATED_OLD and UPDATED_NEW).
void submit_write(Context& context, std::string_view operation, element request, ItemAction action, Returned wanted,
                  std::optional<expr::dynamo::Projection> changed, Done& done) {
  CapacityDetail detail = capacity_detail(request);
  action.old_on_failure = string_member(request, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD";
  auto answer = std::make_shared<std::string>();
  std::size_t bytes = action.item.json.size();
  submit(context, operation, answer, bytes, [action = std::move(action), wanted, changed = std::move(changed), detail, answer](const store::Txn& txn, lines::EpochMs now, WriteUsage& usage) {
    store::TableMeta current = same_table(txn, action.table);
    store::ItemWriter items(txn, current);
    usage.tables.emplace_back(current.name, 0);
    ItemDecision decision = decide(action, current, items, now);
    const StoreItem* written = decision.written(action);
    std::optional<std::string_view> old;
    if (decision.live) old = decision.live->json;
    Consumed consumed(current.name);
    if (old || written)
      consumed.add_table(item_write_units(old ? std::optional(size_of(*old)) : std::nullopt, written ? std::optional(written->size) : std::nullopt));
    else
      consumed.add_table(kMissingDeleteUnits);
    usage.tables.back().second = consumed.table_units();
    std::string& out = *answer;
    out = "{";
    std::optional<std::string_view> shown = wanted == Returned::all_old || wanted == Returned::updated_old ? old
                                            : written && (wanted == Returned::all_new || wanted == Returned::updated_new)
                                                ? std::optional<std::string_view>(written->json)
                                                : std::nullopt;
    std::string projected;
    if (shown && (wanted == Returned::updated_old || wanted == Returned::updated_new)) {
      if (changed) append_projection(projected, *changed, *shown);
      shown = projected;
    }
    if (shown && *shown != "{}" && !shown->empty()) {
      out.append("\"Attributes\":");
      append_typed(out, *shown);
    }
    // The index units are counted as the write makes the entries (a table without indexes, or a
    // request that does not ask, has none to count).
    std::optional<table::EntryObserver> index_writes;
    if (detail != CapacityDetail::none && !current.indexes.empty()) index_writes = consumed.index_writes(decision.live.has_value());
    write(action, decision, items, index_writes ? &*index_writes : nullptr);
    if (detail != CapacityDetail::none) {
      if (out.size() > 1) out.push_back(',');
      out.append("\"ConsumedCapacity\":");
      consumed.append(out, detail);
    }
    out.push_back('}');
    remove_expired(items, now);
    store::save_table(txn, current);
  }, done);
}

}  // namespace

namespace {

// The action of a PutItem (its Item), DeleteItem or UpdateItem (its Key) on the table it names,
// with its expressions.
ItemAction action_of(Context& context, element request, ItemAction::Kind kind, std::string_view operation) {
  ItemAction action;
  action.kind = kind;
  {
    store::ReadTxn reader(context.env);
    action.table = table_named(reader.renew(), string_member(request, "TableName").value_or(""));
  }
  action.item = kind == ItemAction::Kind::put ? item_of(action.table, request["Item"].value_unsafe())
                                              : key_of(action.table, request["Key"].value_unsafe());
  expr::dynamo::Expressions compiled = expressions(request, operation, key_schema(action.table));
  action.condition = std::move(compiled.condition);
  action.update = std::move(compiled.update);
  return action;
}

}  // namespace

void put_item(Context& context, element request, Done& done) {
  Returned wanted = returned(request, false);
  submit_write(context, "PutItem", request, action_of(context, request, ItemAction::Kind::put, "PutItem"), wanted, std::nullopt, done);
}

void delete_item(Context& context, element request, Done& done) {
  Returned wanted = returned(request, false);
  submit_write(context, "DeleteItem", request, action_of(context, request, ItemAction::Kind::remove, "DeleteItem"), wanted, std::nullopt, done);
}

void update_item(Context& context, element request, Done& done) {
  Returned wanted = returned(request, true);
  ItemAction action = action_of(context, request, ItemAction::Kind::update, "UpdateItem");
  std::optional<expr::dynamo::Projection> changed;
  if (action.update) changed = action.update->paths();
  submit_write(context, "UpdateItem", request, std::move(action), wanted, std::move(changed), done);
}

void batch_write_item(Context& context, element request, Done& done) {
  simdjson::dom::object tables = object_of(request["RequestItems"]);
  std::size_t writes_count = 0;
  for (auto entry : tables) writes_count += array_of(entry.value).size();
  if (writes_count > kMaxBatchWrites) throw validation("Too many items requested for the BatchWriteItem call");
  CapacityDetail detail = capacity_detail(request);
  struct Write {
    bool put;
    StoreItem item;  // the item to put, or the key to delete
  };
  struct TableWrites {
    store::TableMeta table;
    std::vector<Write> writes;
  };
  auto batch = std::make_shared<std::vector<TableWrites>>();
  std::size_t bytes = 0;
  {
    store::ReadTxn reader(context.env);
    const store::Txn& txn = reader.renew();
    for (auto entry : tables) {
      TableWrites& writes = batch->emplace_back(TableWrites{table_named(txn, entry.key), {}});
      for (element write : array_of(entry.value)) {
        element put, remove;
        bool has_put = !write["PutRequest"].get(put) && !put.is_null();
        bool has_remove = !write["DeleteRequest"].get(remove) && !remove.is_null();
        if (has_put == has_remove)  // DynamoDB Local's words for a request of neither kind or both
          throw validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        Write made{has_put, has_put ? item_of(writes.table, put["Item"].value_unsafe()) : key_of(writes.table, remove["Key"].value_unsafe())};
        for (const Write& known : writes.writes)
          if (known.item.key == made.item.key) throw validation("Provided list of item keys contains duplicates");
        bytes += made.item.json.size();
        writes.writes.push_back(std::move(made));
      }
    }
  }
  auto answer = std::make_shared<std::string>();
  submit(context, "BatchWriteItem", answer, bytes, [batch, detail, answer](const store::Txn& txn, lines::EpochMs now, WriteUsage& usage) {
    std::vector<store::TableMeta> current;
    for (const TableWrites& writes : *batch) current.push_back(same_table(txn, writes.table));  // before any write
    std::vector<Consumed> capacities;
    for (std::size_t t = 0; t < batch->size(); ++t) {
      store::ItemWriter items(txn, current[t]);
      Consumed& consumed = capacities.emplace_back(current[t].name);
      bool count_indexes = detail != CapacityDetail::none && !current[t].indexes.empty();
      for (const Write& write : (*batch)[t].writes) {
        std::optional<store::StoredItem> stored = items.get(write.item.key);
        bool live = stored && !stored->expired(now);
        std::optional<std::size_t> replaced;
        if (live) replaced = size_of(stored->json);
        consumed.add_table(write.put || live ? item_write_units(replaced, write.put ? std::optional(write.item.size) : std::nullopt)
                                             : kMissingBatchDeleteUnits);
        std::optional<table::EntryObserver> index_writes;
        if (count_indexes) index_writes = consumed.index_writes(live);
        if (write.put)
          items.put(write.item.key, stored, write.item.expires_ms, write.item.json, index_writes ? &*index_writes : nullptr);
        else if (stored)
          items.remove(write.item.key, *stored, index_writes ? &*index_writes : nullptr);
      }
      remove_expired(items, now);
      store::save_table(txn, current[t]);
      usage.tables.emplace_back(current[t].name, consumed.table_units());
    }
    *answer = "{\"UnprocessedItems\":{}";
    if (detail != CapacityDetail::none) {
      answer->push_back(',');
      append_capacities(*answer, capacities, detail);
    }
    answer->push_back('}');
  }, done);
}

}  // namespace millrace::serve::dynamodb
