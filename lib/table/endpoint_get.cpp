// EndpointTables' reads (kv-get on an endpoint): table/endpoint_tables.h.
#include <fmt/format.h>

#include "cli/error.h"
#include "lines/json.h"
#include "lines/time.h"
#include "table/endpoint_tables.h"

namespace millrace::table {
namespace {

// Appends the typed value of a key argument (kv-get KEY, --query KEY, --lt VALUE...) of `type`,
// already checked by append_key_argument: a string's text, a number's, a binary's base64.
void append_typed_argument(std::string& out, store::KeyType type, std::string_view value) {
  out.append("{\"").append(store::type_name(type)).append("\":");
  lines::append_json_string(out, value);
  out.push_back('}');
}

std::string typed_argument(store::KeyType type, std::string_view value) {
  std::string out;
  append_typed_argument(out, type, value);
  return out;
}

// Items past their TTL are never returned, as locally: the service deletes them only within days
// (and only those of epoch seconds), returning them meanwhile.
class ExpiryFilter {
 public:
  ExpiryFilter(aws::DynamoDBClient& client, std::string_view table) : now_(lines::now_ms()) {
    table_.ttl = client.describe_time_to_live(table);
  }
  bool expired(std::string_view item) {
    if (!table_.ttl) return false;
    const std::vector<Attribute>* attributes = parser_.split(item);
    if (attributes == nullptr) return false;
    lines::EpochMs expires = expiry(table_, *attributes);
    return expires != 0 && expires <= now_;
  }

 private:
  store::TableMeta table_;
  lines::EpochMs now_;
  ItemParser parser_;
};

}  // namespace

EndpointTables::EndpointTables(const aws::StoreSpec& store) : store_(store), client_(store) {}

bool EndpointTables::get_item(std::string_view table_name, std::string_view partition,
                              std::optional<std::string_view> sort, lines::Writer& out) {
  store::TableMeta table = client_.describe_table(table_name);
  check_key_count(table, sort);
  // Each value of its key's type, as locally; the lengths are DynamoDB's to check.
  std::string checked;
  for (auto [attribute, value] : {std::pair{&table.partition, partition}, std::pair{table.sort ? &*table.sort : nullptr, sort.value_or("")}})
    if (attribute != nullptr)
      if (auto problem = append_key_argument(checked, attribute->type, value))
        throw cli::Error(cli::Exit::usage, table.name, fmt::format("{}: {}", attribute->name, *problem));
  std::string key = "{";
  lines::append_json_string(key, table.partition.name);
  key.push_back(':');
  append_typed_argument(key, table.partition.type, partition);
  if (table.sort) {
    key.push_back(',');
    lines::append_json_string(key, table.sort->name);
    key.push_back(':');
    append_typed_argument(key, table.sort->type, *sort);
  }
  key.push_back('}');
  std::optional<std::string> item = client_.get_item(table_name, key);
  if (!item || ExpiryFilter(client_, table_name).expired(*item)) return false;
  out.buffer().append(*item).push_back('\n');
  return true;
}

std::uint64_t EndpointTables::query(std::string_view table_name, std::string_view partition,
                                    const SortCondition& condition, const ReadOptions& options, lines::Writer& out) {
  store::TableMeta table = client_.describe_table(table_name);
  const store::IndexMeta* index = options.index.empty() ? nullptr : &index_or_throw(table, options.index);
  query_range(table, partition, condition, index);  // the arguments checked as locally, with the same errors
  const store::KeyAttribute& partition_key = index != nullptr ? index->partition : table.partition;
  const std::optional<store::KeyAttribute>& sort_key = index != nullptr ? index->sort : table.sort;
  aws::ReadRequest request;
  request.index = options.index;
  request.forward = !options.reverse;
  std::string& k = request.key_condition;
  k = request.attributes.name(partition_key.name) + " = " +
      request.attributes.value(typed_argument(partition_key.type, partition));
  using Kind = SortCondition::Kind;
  if (condition.kind != Kind::any) {
    std::string name = request.attributes.name(sort_key->name);
    std::string value = request.attributes.value(typed_argument(sort_key->type, condition.value));
    k.append(" AND ");
    switch (condition.kind) {
      case Kind::any: break;
      case Kind::begins_with: k.append("begins_with(").append(name).append(", ").append(value).append(")"); break;
      case Kind::between:
        k.append(name).append(" BETWEEN ").append(value).append(" AND ");
        k.append(request.attributes.value(typed_argument(sort_key->type, condition.upper)));
        break;
      case Kind::lt: k.append(name).append(" < ").append(value); break;
      case Kind::le: k.append(name).append(" <= ").append(value); break;
      case Kind::gt: k.append(name).append(" > ").append(value); break;
      case Kind::ge: k.append(name).append(" >= ").append(value); break;
    }
  }
  return read_pages("Query", table_name, request, options, out);
}

std::uint64_t EndpointTables::scan(std::string_view table_name, const ReadOptions& options, lines::Writer& out) {
  aws::ReadRequest request;
  request.index = options.index;
  if (!options.index.empty()) index_or_throw(client_.describe_table(table_name), options.index);
  return read_pages("Scan", table_name, request, options, out);
}

std::uint64_t EndpointTables::read_pages(std::string_view operation, std::string_view table, aws::ReadRequest& request,
                                         const ReadOptions& options, lines::Writer& out) {
  simdjson::dom::parser parser;
  ExpiryFilter expiry(client_, table);
  std::vector<std::string> items;
  std::uint64_t written = 0;
  do {
    // Without --where every item read is written but the expired: the page need not be longer
    // than what is left.
    request.limit = options.where || options.limit == 0 ? 0 : options.limit - written;
    items.clear();
    request.start_key = operation == "Query" ? client_.query(table, request, items) : client_.scan(table, request, items);
    for (const std::string& item : items) {
      if (expiry.expired(item)) continue;
      if (options.where) {
        simdjson::dom::element root;
        if (parser.parse(item).get(root) || !options.where->matches(root)) continue;
      }
      out.buffer().append(item).push_back('\n');
      out.maybe_flush();
      if (++written == options.limit) return written;
    }
  } while (!request.start_key.empty());
  return written;
}

void EndpointTables::list_tables(lines::Writer& out) {
  for (const std::string& name : client_.list_tables()) {
    out.buffer().append("{\"TableName\":");
    lines::append_json_string(out.buffer(), name);
    out.buffer().append("}\n");
  }
}

void EndpointTables::describe_table(std::string_view table_name, lines::Writer& out, bool) {
  store::TableMeta table = client_.describe_table(table_name);
  table.ttl = client_.describe_time_to_live(table_name);
  append_table_description(out.buffer(), table);
}

}  // namespace millrace::table
