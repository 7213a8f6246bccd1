// EndpointTables: the tables of an endpoint that speaks DynamoDB's API (gw-serve, DynamoDB
// Local, AWS), behind table/tables.h, over aws/dynamodb_client.h.
//
// kv-put: plain puts and --delete go as BatchWriteItem of up to 25 requests, up to 8 of them in
// flight at once, each on a connection of its own; a batch is cut before a key already in it
// (DynamoDB refuses two requests of one key in a batch, and the later line must win), and a line
// whose key is in a batch in flight waits for that batch: each key's writes are applied in input
// order, the batches of different keys in any order (so a kv-put stopped midway may have written
// some later lines and not some earlier ones of other keys, unlike the store's prefix). Conditional writes (--if-absent, --if) and updates (--merge,
// --add, --remove) go one item at a time, as PutItem, UpdateItem or DeleteItem with a
// ConditionExpression and an UpdateExpression (aws/dynamodb_expression.h). A line is checked as
// locally (JSON, its key of the table's types, 400 KB as DynamoDB counts it) before it is sent.
// --emit changes writes each item alone too, with ReturnValues ALL_OLD for the old image; its
// sequence numbers count this run's changes from 1. What cannot be done with the same meaning
// is refused, cli::Error(unavailable) naming the endpoint: --emit changes with an update
// (UpdateItem returns the old item or the new, not both), envelopes with a group's checkpoint
// (kept in the local store's commits), an --if that has no DynamoDB expression of the same
// semantics.
//
// kv-get: GetItem, Query (a KeyConditionExpression), Scan, ListTables and DescribeTable, every
// page read; --where is evaluated here by expr::Condition (the same code and semantics as
// locally), so --limit counts the items that satisfy it, as locally. Items are printed as plain
// JSON (aws/attribute_value.h), their attributes in the order the service gives them.
#pragma once

#include "aws/dynamodb_client.h"
#include "table/tables.h"

namespace millrace::table {

class EndpointTables final : public Tables {
 public:
  explicit EndpointTables(const aws::StoreSpec& store);

  PutStats put_items(const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                     lines::Writer* changes) override;
  bool get_item(std::string_view table, std::string_view partition, std::optional<std::string_view> sort,
                lines::Writer& out) override;
  std::uint64_t query(std::string_view table, std::string_view partition, const SortCondition& condition,
                      const ReadOptions& options, lines::Writer& out) override;
  std::uint64_t scan(std::string_view table, const ReadOptions& options, lines::Writer& out) override;
  void list_tables(lines::Writer& out) override;
  void describe_table(std::string_view table, lines::Writer& out, bool decorate) override;

 private:
  // Pages of Query or Scan until the end or `options.limit` items written.
  std::uint64_t read_pages(std::string_view operation, std::string_view table, aws::ReadRequest& request,
                           const ReadOptions& options, lines::Writer& out);

  aws::StoreSpec store_;
  aws::DynamoDBClient client_;
};

}  // namespace millrace::table
