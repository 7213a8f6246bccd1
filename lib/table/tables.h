// Tables: the tables service of a store, wherever the store is (DESIGN.md, "The store is a
// directory or an endpoint"): what kv-put and kv-get do, shaped by DynamoDB's API (PutItem,
// UpdateItem and DeleteItem with conditions, as batches; GetItem, Query, Scan, ListTables,
// DescribeTable).
//
// Two implementations: a store directory (the LMDB store: table/put.h and table/get.h, as
// they are) and an endpoint that speaks DynamoDB's API (table/endpoint_tables.h, over
// aws/dynamodb_client.h). The options mean the same on both; what an endpoint cannot do the
// same way is refused there with cli::Error(unavailable) naming the backend, never done
// otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "aws/store_spec.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/env.h"
#include "table/get.h"
#include "table/put.h"
#include "table/schema.h"

namespace millrace::table {

class Tables {
 public:
  virtual ~Tables() = default;

  // kv-put: applies every line of `reader` to the table of `spec` (table/put.h's put_items).
  virtual PutStats put_items(const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                             lines::Writer* changes) = 0;
  // kv-get: GetItem (true when there is an item), Query, Scan (the counts of items written),
  // ListTables and DescribeTable (table/get.h's), each written to `out`. `decorate`: the
  // description is for a terminal, which gets the last hour's capacity where it is known.
  virtual bool get_item(std::string_view table, std::string_view partition, std::optional<std::string_view> sort,
                        lines::Writer& out) = 0;
  virtual std::uint64_t query(std::string_view table, std::string_view partition, const SortCondition& condition,
                              const ReadOptions& options, lines::Writer& out) = 0;
  virtual std::uint64_t scan(std::string_view table, const ReadOptions& options, lines::Writer& out) = 0;
  virtual void list_tables(lines::Writer& out) = 0;
  virtual void describe_table(std::string_view table, lines::Writer& out, bool decorate) = 0;
};

// How a program opens its store's tables.
struct TablesAccess {
  store::Access access = store::Access::read;
  store::Sync sync = store::Sync::full;  // a directory's commits (an endpoint's are the service's)
  // A directory that does not exist: this table is missing (kv-put without --create), rather
  // than the store.
  std::string_view missing_table;
};

// The tables of `store`: a directory's, or an endpoint's.
std::unique_ptr<Tables> open_tables(const aws::StoreSpec& store, const TablesAccess& access);

}  // namespace millrace::table
