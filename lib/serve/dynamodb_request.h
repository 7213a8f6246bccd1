// What the operations of the DynamoDB API share (serve/dynamodb_api.h): DynamoDB's errors, the
// table a request names, typed keys and items made into the store's (through the one
// implementation of keys, table/schema.h) and the 400 KB limit. (Capacity units:
// serve/dynamodb_capacity.h.)
//
// Errors are thrown as aws::ApiError with DynamoDB's short type ("ValidationException"); the
// answer gives the __type in DynamoDB's namespaces (error_type()). Texts are DynamoDB Local's.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/validate.h"
#include "expr/dynamo.h"
#include "lines/time.h"
#include "serve/api.h"
#include "serve/item_committer.h"
#include "store/env.h"
#include "store/tables.h"

namespace millrace::serve::dynamodb {

using simdjson::dom::element;
using Done = std::function<void(ApiAnswer)>;

class ClientTokens;  // serve/dynamodb_transactions.h

// What every operation works on: the store, the commits of writes, the region ARNs name, and
// the tokens of transactions.
struct Context {
  store::Env& env;
  ItemCommitter& committer;
  std::string region;
  ClientTokens& tokens;

  // arn:aws:dynamodb:REGION:000000000000:table/NAME
  std::string table_arn(std::string_view table) const;
};

// DynamoDB's __type for the short `type`: com.amazon.coral.validate#ValidationException,
// com.amazonaws.dynamodb.v20120810#ResourceNotFoundException, ...
std::string error_type(std::string_view type);

// A member the model has validated as a list or a map (an empty one when absent), by value, so
// that a loop over it holds no reference into a temporary.
simdjson::dom::array array_of(simdjson::simdjson_result<element> member);
simdjson::dom::object object_of(simdjson::simdjson_result<element> member);
inline simdjson::dom::array array_of(element value) { return array_of(simdjson::simdjson_result<element>(element(value))); }
inline simdjson::dom::object object_of(element value) { return object_of(simdjson::simdjson_result<element>(element(value))); }

// The answer of `error`, its __type in DynamoDB's namespace.
ApiAnswer answer_of(const aws::ApiError& error);

aws::ApiError validation(std::string message);
// A table that is not there.
aws::ApiError no_table();

// The table `name`, or no_table().
store::TableMeta table_named(const store::Txn& txn, std::string_view name);

// An item or a key of a table, made from the request's typed values.
struct StoreItem {
  std::string key;   // the item key in the store (table/schema.h's item_key)
  std::string json;  // the plain JSON item (or, for a key, the plain key attributes)
  std::size_t size = 0;  // DynamoDB's size of it
  lines::EpochMs expires_ms = 0;
};

// Why a key is read: its errors differ.
enum class KeyRole { key, start_key };

// The store key of the typed key `key` (GetItem's and DeleteItem's Key, ExclusiveStartKey):
// exactly the table's key attributes, of their types, within DynamoDB's sizes.
StoreItem key_of(const store::TableMeta& table, element key, KeyRole role = KeyRole::key);
// The typed item `item` (PutItem's Item, a PutRequest's) as the store holds it: its key
// checked as key_of() does, its size at most 400 KB, its expiry from the table's TTL.
StoreItem item_of(const store::TableMeta& table, element item);

// The start key of a page of a Query or Scan (ExclusiveStartKey): the store key of the item, or,
// reading `index`, of its entry there, made from the typed key attributes of the table and of
// the index.
std::string start_key_of(const store::TableMeta& table, const store::IndexMeta* index, element key);
// The keys a Query of the table or of `index` (nullptr: the table) takes its key condition on.
expr::dynamo::KeySchema key_schema(const store::TableMeta& table, const store::IndexMeta* index = nullptr);
// The plain item `json` an update made, as the store holds it: its size at most 400 KB, its key
// and its expiry.
StoreItem updated_item_of(const store::TableMeta& table, std::string json);

// The plain items' key attributes, typed (a LastEvaluatedKey, an UnprocessedKeys' key); with
// `index`, the index's key attributes too (a LastEvaluatedKey of a Query of the index).
void append_typed_key(std::string& out, const store::TableMeta& table, std::string_view plain_item,
                      const store::IndexMeta* index = nullptr);

}  // namespace millrace::serve::dynamodb
