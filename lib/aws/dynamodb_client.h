// DynamoDBClient: the DynamoDB operations that kv-put and kv-get use on an endpoint, as typed
// calls over aws::JsonClient (JSON 1.0, SigV4, AWS's retries).
//
// Items go both ways as DynamoDB's typed JSON ({"name":{"S":"x"}}); aws/attribute_value.h turns
// them into the plain JSON items of the local store and back. Requests are written and answers
// read by the shapes of botocore's model (botocore/data/dynamodb/2012-08-10/service-2.json).
//
// A ResourceNotFoundException for the table is store::no_such_table's error (exit 66), as locally.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb_expression.h"
#include "aws/json_client.h"
#include "store/tables.h"

namespace millrace::aws {

// BatchWriteItem's limit on the requests of one call.
inline constexpr std::size_t kMaxBatchWrite = 25;

// The readers of the answers, apart from the requests so that they can be fuzzed
// (tests/fuzz/dynamodb_answer.cpp). Each throws cli::Error(unavailable, where) for an answer not
// of botocore's shape, or an item DynamoDB would not have written.
//
// DescribeTable's "Table" or CreateTable's "TableDescription" (`member`): the name, the key
// schema with the attribute types, the indexes' key schemas, ItemCount, TableSizeBytes and
// CreationDateTime; its TableStatus in `status`.
store::TableMeta read_table_description(simdjson::dom::parser& parser, std::string_view body, std::string_view member,
                                        std::string& status, std::string_view where);
// ListTables: the names appended; returns LastEvaluatedTableName ("" on the last page).
std::string read_list_tables_answer(simdjson::dom::parser& parser, std::string_view body,
                                    std::vector<std::string>& names, std::string_view where);
// BatchWriteItem: the requests of `table` not processed, as a JSON array to send again ("" when
// none); returns how many there are.
std::size_t read_batch_write_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view table,
                                    std::string& unprocessed, std::string_view where);
// GetItem's "Item", or PutItem's, UpdateItem's and DeleteItem's "Attributes" (`member`): the
// plain JSON of the item into `plain`; false when the answer has none.
bool read_item_answer(simdjson::dom::parser& parser, std::string_view body, std::string_view member,
                      std::string& plain, std::string_view where);
// Query and Scan: each item's plain JSON appended to `items`; returns LastEvaluatedKey as typed
// JSON ("" on the last page).
std::string read_items_page(simdjson::dom::parser& parser, std::string_view body, std::vector<std::string>& items,
                            std::string_view where);
// DescribeTimeToLive: the TTL attribute when TTL is ENABLED or ENABLING.
std::optional<std::string> read_time_to_live_answer(simdjson::dom::parser& parser, std::string_view body,
                                                    std::string_view where);

// PutItem, UpdateItem and DeleteItem.
enum class ItemWrite { put, update, remove };

struct WriteRequest {
  ItemWrite kind = ItemWrite::put;
  std::string_view item;       // put: the typed item; update and remove: the typed key
  std::string update;          // UpdateExpression (update; may be empty)
  std::string condition;       // ConditionExpression ("" for none)
  ExpressionAttributes attributes;
  std::string_view return_values;  // "" (NONE), "ALL_OLD", "ALL_NEW"
};

// Query and Scan: one page.
struct ReadRequest {
  std::string_view index;          // IndexName ("": the table)
  std::string key_condition;       // KeyConditionExpression (Query)
  ExpressionAttributes attributes;
  bool forward = true;             // ScanIndexForward (Query)
  std::uint64_t limit = 0;         // Limit (0: none)
  std::string start_key;           // ExclusiveStartKey, typed ("": from the start)
};

class DynamoDBClient {
 public:
  explicit DynamoDBClient(const StoreSpec& store);

  // DescribeTable; the TTL attribute is DescribeTimeToLive's (describe_time_to_live).
  store::TableMeta describe_table(std::string_view table);
  std::optional<std::string> describe_time_to_live(std::string_view table);
  std::vector<std::string> list_tables();
  // CreateTable of `schema`'s name and keys, billed per request, and waits until it is ACTIVE,
  // for aws::kReadyWait at most (then cli::Error(temp_fail)); false when it existed.
  bool create_table(const store::TableMeta& schema);
  // UpdateTimeToLive enabling `attribute`; nothing when it is already the table's.
  void update_time_to_live(std::string_view table, std::string_view attribute);

  // BatchWriteItem of 1 to kMaxBatchWrite requests ({"PutRequest":{"Item":…}} or
  // {"DeleteRequest":{"Key":…}}) to `table`. The requests DynamoDB leaves unprocessed are sent
  // again after AWS's back-off until none is left; cli::Error(temp_fail) when the attempts run
  // out first.
  void batch_write(std::string_view table, std::span<const std::string> requests);
  // PutItem, UpdateItem or DeleteItem. Returns false when the condition failed. With
  // ReturnValues, the item returned (plain JSON, "" when none) goes to `returned`.
  bool write_item(std::string_view table, const WriteRequest& request, std::string* returned = nullptr);
  // GetItem of the typed key `key`, strongly consistent as the local store's reads are.
  std::optional<std::string> get_item(std::string_view table, std::string_view key);
  // One page of Query or Scan; returns LastEvaluatedKey ("" on the last page).
  std::string query(std::string_view table, const ReadRequest& request, std::vector<std::string>& items);
  std::string scan(std::string_view table, const ReadRequest& request, std::vector<std::string>& items);

  JsonClient& json() { return client_; }
  const std::string& endpoint_url() const { return client_.endpoint().url; }

 private:
  const std::string& call(std::string_view operation, std::string_view table);
  std::string read(std::string_view operation, std::string_view table, const ReadRequest& request,
                   std::vector<std::string>& items);
  JsonClient client_;
  std::string body_;
  simdjson::dom::parser parser_;
};

}  // namespace millrace::aws
