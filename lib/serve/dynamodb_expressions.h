// DynamoDB's expression language (expr/dynamo.h) in the API's requests: the members that hold
// expressions or their older forms (ConditionExpression, FilterExpression, ProjectionExpression,
// KeyConditionExpression, UpdateExpression, ExpressionAttributeNames and Values; Expected,
// QueryFilter, ScanFilter, KeyConditions, AttributeUpdates, AttributesToGet,
// ConditionalOperator) read from a request, their typed values converted to the plain JSON of
// the tables (aws/attribute_value.h), and compiled against the keys of the table read; then
// evaluated on the plain items the store holds.
//
// Every function throws aws::ApiError (a ValidationException with DynamoDB's text) for what
// DynamoDB refuses.
//
// Thread safety: the functions share nothing but a parsed item per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "expr/dynamo.h"
#include "serve/dynamodb_request.h"

namespace millrace::serve::dynamodb {

// The expressions of `request` (an operation's, or one action of a transaction), for the
// operation `operation` ("PutItem", "Query", ...: DynamoDB names its members in some messages).
// The older forms are read unless `Forms::expressions_only` (a transaction's actions have none:
// DynamoDB ignores an Expected there).
enum class Forms { all, expressions_only };
expr::dynamo::Expressions expressions(element request, std::string_view operation, const expr::dynamo::KeySchema& keys,
                                      Forms forms = Forms::all);

// Whether the plain item `item` (nullopt: there is none) satisfies `condition`.
// The plain item `item` as the expressions read it, parsed into this thread's Document: valid
// until the next call on the thread. For reading one item with several expressions.
const expr::Document& parsed_item(std::string_view item);

bool holds(const expr::dynamo::Condition& condition, std::optional<std::string_view> item);

// Appends the projection of the plain item `item` (a JSON object) to `out`.
void append_projection(std::string& out, const expr::dynamo::Projection& projection, std::string_view item);

// The plain item that `update` makes of `stored` (nullopt: none; the item is made from
// `key_json`, the request's Key in plain JSON).
std::string updated_item(const expr::dynamo::Update& update, std::optional<std::string_view> stored, std::string_view key_json);

}  // namespace millrace::serve::dynamodb
