#include "serve/item_route.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "aws/text.h"
#include "cli/error.h"
#include "store/names.h"
#include "store/tables.h"
#include "table/capacity.h"
#include "table/get.h"

namespace millrace::serve {
namespace {

constexpr std::string_view kItemsSegment = "items";

// The route's query: a Query's sort condition, limit and direction.
struct QueryParameters {
  table::SortCondition condition;
  std::uint64_t limit = 0;  // 0: every item
  bool reverse = false;
  bool given = false;  // any of them was: the answer is a query's, whatever the table
};

// The parameters of `query`, or the 400 that names the one that is wrong.
std::optional<HttpAnswer> parse_parameters(std::string_view query, QueryParameters& parameters) {
  std::optional<HttpAnswer> refusal;
  aws::for_each_query_pair(query, [&](std::string_view raw_name, std::string_view raw_value) {
    std::string name = aws::percent_decode(raw_name), value = aws::percent_decode(raw_value);
    parameters.given = true;
    if (name == "begins_with") {
      parameters.condition = {table::SortCondition::Kind::begins_with, value, {}};
    } else if (name == "limit") {
      auto [end, error] =
          std::from_chars(value.data(), value.data() + value.size(), parameters.limit);
      if (error != std::errc{} || end != value.data() + value.size() || parameters.limit == 0)
        refusal = HttpAnswer::message(
            400, fmt::format("?limit= takes a count of items from 1, not {}", value));
    } else if (name == "reverse") {
      if (value != "1" && value != "0" && value != "true" && value != "false")
        refusal = HttpAnswer::message(400, fmt::format("?reverse= takes 1 or 0, not {}", value));
      parameters.reverse = value == "1" || value == "true";
    } else {
      refusal = HttpAnswer::message(
          400,
          fmt::format("no parameter {}: the route takes begins_with, limit and reverse", name));
    }
    return !refusal;
  });
  return refusal;
}

// The '/'-separated segments of `path`, each percent-decoded.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    parts.push_back(aws::percent_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return parts;
}

// The items of the query as JSON lines, or the 400 of an answer past kMaxQueryAnswer; the
// items answered, and their DynamoDB bytes, in `read`.
HttpAnswer query_answer(const store::Txn& txn, const store::TableMeta& meta,
                        std::string_view partition, const QueryParameters& parameters,
                        dynamodb::TableRead* read) {
  HttpAnswer answer{200, "application/x-ndjson", {}, {}};
  std::uint64_t written = 0;
  std::size_t bytes = 0;
  bool too_large = false;
  table::for_each_item(txn, table::query_range(meta, partition, parameters.condition),
                       parameters.reverse, std::nullopt,
                       [&](std::string_view, std::string_view json) {
                         if (answer.body.size() + json.size() + 1 > kMaxQueryAnswer)
                           return !(too_large = true);
                         answer.body.append(json).push_back('\n');
                         if (read) bytes += table::item_size(json);
                         return ++written != parameters.limit;
                       });
  if (too_large)
    return HttpAnswer::message(
        400, fmt::format("the items of {} pass {} MiB: read them in parts with ?limit= "
                         "and ?begins_with=",
                         partition, kMaxQueryAnswer >> 20));
  if (read) {
    read->items = written;
    read->consumed.add_table(table::read_units(bytes, false));
  }
  return answer;
}

// The place an error of kv-get's reads names, as this route names it: kv-get's options are its
// query parameters ("--begins-with" is "?begins_with="); "--query" is the key, which the message
// names already.
std::string route_place(const std::string& where) {
  if (where == "--query") return {};
  if (!where.starts_with("--")) return where;
  std::string parameter = "?" + where.substr(2) + "=";
  for (char& c : parameter)
    if (c == '-') c = '_';
  return parameter;
}

}  // namespace

HttpAnswer get_items(store::Env& env, std::string_view path, std::string_view query,
                     dynamodb::ReadUsage* usage) {
  std::vector<std::string> parts = segments(path.substr(kTablesRoute.size()));
  if (parts.size() < 3 || parts.size() > 4 || parts[1] != kItemsSegment || parts[2].empty())
    return HttpAnswer::message(
        404, fmt::format("no route for GET {}: the route is GET /tables/NAME/items/KEY[/SORTKEY]",
                         path));
  const std::string& table_name = parts[0];
  if (auto problem = store::check_name(table_name))
    return HttpAnswer::message(400, fmt::format("table name: {}", *problem));
  QueryParameters parameters;
  if (auto refusal = parse_parameters(query, parameters)) return *refusal;
  std::optional<std::string_view> sort;
  if (parts.size() == 4) sort = parts[3];
  try {
    store::ReadTxn reader(env);
    store::Txn txn = reader.renew();
    store::TableMeta meta = store::table_or_throw(txn, table_name);
    if (sort && parameters.given)
      return HttpAnswer::message(
          400, "a query takes the partition key alone: GET /tables/NAME/items/KEY?...");
    std::optional<dynamodb::TableRead> read;
    if (usage) read.emplace(dynamodb::TableRead{dynamodb::Consumed(meta.name), 0});
    auto answered = [&](HttpAnswer answer, std::string_view operation) {
      if (read && (answer.status == 200 || operation == "GetItem")) {
        usage->operation = operation;
        usage->tables.push_back(std::move(*read));
      }
      return answer;
    };
    if (parameters.given || (meta.sort && !sort))
      return answered(query_answer(txn, meta, parts[2], parameters, read ? &*read : nullptr), "Query");
    std::optional<std::string_view> item = table::find_item(txn, meta, parts[2], sort);
    if (read) {
      read->items = item ? 1 : 0;
      read->consumed.add_table(table::item_read_units(item ? table::item_size(*item) : 0, table::ItemRead::eventual));
    }
    if (!item) return answered(HttpAnswer::message(404, fmt::format("{}: no item of that key", table_name)), "GetItem");
    HttpAnswer answer{200, "application/json", std::string(*item), {}};
    answer.body.push_back('\n');
    return answered(std::move(answer), "GetItem");
  } catch (const cli::Error& e) {
    int status = e.status() == cli::Exit::no_input ? 404
                 : e.status() == cli::Exit::usage  ? 400
                                                   : 500;
    std::string where = route_place(e.where());
    return HttpAnswer::message(
        status, where.empty() ? std::string(e.what()) : fmt::format("{}: {}", where, e.what()));
  }
}

}  // namespace millrace::serve
