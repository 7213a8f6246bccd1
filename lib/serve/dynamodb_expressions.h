// The seam between the DynamoDB API and DynamoDB's expression language (ConditionExpression,
// FilterExpression, ProjectionExpression, KeyConditionExpression, UpdateExpression, their
// ExpressionAttributeNames and Values, and the older Expected, QueryFilter, ScanFilter,
// AttributesToGet, ConditionalOperator and AttributeUpdates), which lib/expr/ evaluates on the
// plain JSON items of the tables.
//
// One function per use. Until the expressions are merged, each answers a request that uses
// them with a ValidationException "... is not supported yet", and a request without them as
// DynamoDB does: no condition, every attribute, no filter. A Query's key condition is read from
// KeyConditions, DynamoDB's structured form (no expression to parse).
//
// Each function throws aws::ApiError (dynamodb_request.h) for what DynamoDB refuses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "serve/dynamodb_request.h"
#include "expr/dynamo.h"
#include "table/get.h"

namespace millrace::serve::dynamodb {

// What a write requires of the item it replaces or deletes (PutItem's and DeleteItem's
// ConditionExpression or Expected). nullopt: nothing.
struct WriteCondition {
  // Whether the stored item (nullopt: none) lets the write happen.
  bool holds(std::optional<std::string_view> stored_item) const;
};
std::optional<WriteCondition> write_condition(element request);

// The attributes a read gives (ProjectionExpression or AttributesToGet). nullopt: all.
struct Projection {
  // Appends the projection of the plain item `item` to `out`.
  void append(std::string& out, std::string_view item) const;
};
std::optional<Projection> projection(element request);

// The items a Query or Scan gives of those it reads (FilterExpression, QueryFilter or
// ScanFilter). nullopt: all.
struct Filter {
  bool matches(std::string_view item) const;
};
std::optional<Filter> filter(element request);

// A Query's key condition (KeyConditionExpression or KeyConditions): the partition key and the
// sort key's condition, values in table::append_key_argument's form.
struct KeyCondition {
  std::string partition;
  table::SortCondition sort;
};
// `keys`: those of the table, or of the index the Query reads.
KeyCondition key_condition(element request, const expr::dynamo::KeySchema& keys);

// UpdateItem (UpdateExpression or AttributeUpdates): not supported yet, whatever it asks.
[[noreturn]] void update_item(element request);

}  // namespace millrace::serve::dynamodb
