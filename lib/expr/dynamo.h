// DynamoDB's expressions, on the plain JSON items of millrace's tables (expr/document.h).
//
//   KeyConditionExpression   pk = :p AND begins_with(sk, :prefix)
//   ConditionExpression      attribute_not_exists(pk) OR #n.#list[2] < :limit
//   FilterExpression         contains(tags, :t) AND size(payload) BETWEEN :lo AND :hi
//   UpdateExpression         SET n = if_not_exists(n, :zero) + :one, l = list_append(l, :more)
//                            REMOVE old, l[0] ADD visits :one DELETE tags :gone
//   ProjectionExpression     pk, a.b[2].c, #name
//
// with ExpressionAttributeNames (#name → a name) and ExpressionAttributeValues (:value → a value,
// here its plain JSON), and the older parameters that say the same (KeyConditions, Expected,
// QueryFilter, ScanFilter, ConditionalOperator, AttributeUpdates, AttributesToGet), which are
// translated into the same compiled forms. Grammar, semantics, limits and error texts are
// DynamoDB's (checked against DynamoDB Local, the jar AWS ships):
//   - a document path is a name or #name, then .name, .#name or [index]; names that are
//     DynamoDB's reserved words need a #name; at most 32 levels;
//   - conditions: = <> < <= > >= (values of one type: numbers by value, strings and binary by
//     bytes; < and the like order only numbers, strings and binary), BETWEEN, IN (at most 100
//     values), AND, OR, NOT, parentheses, and attribute_exists, attribute_not_exists,
//     attribute_type, begins_with, contains, size; maps, lists and sets are equal member by
//     member. A path that leads nowhere is absent: = and the functions are false, <> is true;
//   - an expression is at most 4096 bytes and 300 operators (functions count); every name and
//     value given must be used, and every one used must be given.
// Value comparison is expr/compare.h's, shared with kv-put --if and kv-get --where.
//
// Every function here throws ValidationError, whose what() is DynamoDB's message for a
// ValidationException ("Invalid ConditionExpression: Syntax error; token: \"x\", near: \"a x
// b\""). A condition that does not hold is not an error: matches() says false, and the caller
// answers ConditionalCheckFailedException.
//
// Thread safety: compiled expressions are immutable; any number of threads may use one at once.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "expr/document.h"
#include "store/tables.h"
#include "table/get.h"

namespace millrace::expr::dynamo {

class ValidationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The members of one request that hold expressions or their older forms, as the request gives
// them: nullopt when it has no such member. Values are plain JSON (the typed AttributeValues
// converted), in the older forms as in ExpressionAttributeValues.
struct Request {
  // The operation ("PutItem", "Query", ...): DynamoDB names what is missing in some messages.
  std::string_view operation;
  std::optional<std::string_view> key_condition_expression, condition_expression, filter_expression,
      update_expression, projection_expression;
  std::optional<std::map<std::string, std::string>> names;   // "#n" → the attribute name
  std::optional<std::map<std::string, std::string>> values;  // ":v" → the value's plain JSON
  // The older forms, each the JSON text of the member's value: KeyConditions, Expected,
  // QueryFilter and ScanFilter are objects of attribute name → condition (AttributeValueList,
  // ComparisonOperator, Value, Exists); AttributeUpdates of name → {Action, Value};
  // AttributesToGet an array of names; ConditionalOperator the text "AND" or "OR".
  std::optional<std::string_view> key_conditions, expected, query_filter, scan_filter,
      attribute_updates, attributes_to_get, conditional_operator;
};

// The key attributes of the table, or of the index a Query or Scan reads.
struct KeySchema {
  store::KeyAttribute partition;
  std::optional<store::KeyAttribute> sort;
};

namespace detail {
struct Compiled;  // a parsed and checked expression with its values (dynamo_tree.h)
}

// A condition on an item: ConditionExpression, FilterExpression, or Expected, QueryFilter,
// ScanFilter.
class Condition {
 public:
  // Whether `item` satisfies it; `item` nullptr, or an empty Document, is no item (every path
  // absent: attribute_not_exists(pk) holds). Cannot fail.
  bool matches(const Document* item) const;

 private:
  friend struct detail::Compiled;
  std::shared_ptr<const detail::Compiled> compiled_;
};

class Projection;

// What an update does to an item: UpdateExpression, or AttributeUpdates.
class Update {
 public:
  // The new item's JSON, made from `stored` (nullptr or empty: no item yet; UpdateItem creates
  // it, `key_json` — the request's Key in plain JSON, an object — holding its key attributes).
  // Throws ValidationError for what DynamoDB refuses only on seeing the item: "The provided
  // expression refers to an attribute that does not exist in the item", "An operand in the
  // update expression has an incorrect data type", "The document path provided in the update
  // expression is invalid for update", a number beyond DynamoDB's range or precision.
  std::string apply(const Document* stored, std::string_view key_json) const;
  // The paths the update sets, removes, adds to or deletes from, as a projection: what
  // ReturnValues UPDATED_OLD and UPDATED_NEW give of the item before and after.
  Projection paths() const;

 private:
  friend struct detail::Compiled;
  std::shared_ptr<const detail::Compiled> compiled_;
};

// The parts of items a read returns: ProjectionExpression, or AttributesToGet.
class Projection {
 public:
  // Appends to `out` the JSON object of the attributes of `item` (a map) that the paths name: a
  // path through lists keeps the elements named, in their order, without the others.
  void apply(const Document& item, std::string& out) const;

 private:
  friend struct detail::Compiled;
  std::shared_ptr<const detail::Compiled> compiled_;
};

// A Query's key condition, as table::query() takes it: the partition key's value and the
// condition on the sort key, each value as a key argument (a string's bytes, a number's text, a
// binary value's base64).
// sk = :v is BETWEEN :v AND :v.
struct KeyCondition {
  std::string partition;
  table::SortCondition sort;
};

struct Expressions {
  std::optional<KeyCondition> key;       // KeyConditionExpression, KeyConditions
  std::optional<Condition> condition;    // ConditionExpression, Expected
  std::optional<Condition> filter;       // FilterExpression, QueryFilter, ScanFilter
  std::optional<Update> update;          // UpdateExpression, AttributeUpdates
  std::optional<Projection> projection;  // ProjectionExpression, AttributesToGet
};

// Compiles every expression of `request` against the key attributes `keys`, checking what
// DynamoDB checks before reading an item: syntax, names and values (defined, all used), types
// of values, limits, the mixing of expressions with the older parameters, key conditions
// against the key schema, and that an update leaves the key attributes alone.
Expressions compile(const Request& request, const KeySchema& keys);

}  // namespace millrace::expr::dynamo
