// The inside of expr/dynamo.h: the tree that the expression parser (dynamo_parse.cpp) and the
// translation of the older parameters (dynamo_legacy.cpp) both build, and that evaluation
// (dynamo_evaluate.cpp) and updates (dynamo_update.cpp) walk. Not for use outside lib/expr.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "expr/document.h"
#include "expr/dynamo.h"

namespace millrace::expr::dynamo::detail {

enum class Kind : std::uint8_t {
  // conditions
  compare,  // children: lhs, rhs
  between,  // children: operand, lower, upper
  in,       // children: operand, values...
  all,      // AND of the children
  any,      // OR of the children
  negate,   // NOT of child 0
  // operands, and call: a function as a condition or as an operand
  path,
  value,
  call,
  plus,  // update values: child 0 + child 1
  minus
};

enum class Comparator : std::uint8_t { eq, ne, lt, le, gt, ge };

enum class Function : std::uint8_t {
  unknown,
  attribute_exists,
  attribute_not_exists,
  attribute_type,
  begins_with,
  contains,
  size,
  if_not_exists,
  list_append
};

struct PathElement {
  std::string name;  // resolved: a #name is replaced by its name
  std::uint64_t index = 0;
  bool is_index = false;

  bool operator==(const PathElement&) const = default;
};
using Path = std::vector<PathElement>;

struct Node {
  Kind kind = Kind::path;
  Comparator op = Comparator::eq;
  Function function = Function::unknown;
  std::uint32_t path = 0;   // Kind::path: into Compiled::paths
  std::uint32_t value = 0;  // Kind::value: the element of Compiled::values
  std::vector<std::uint32_t> children;
};

// One action of an update: SET path = value, REMOVE path, ADD path value, DELETE path value.
struct Action {
  enum class Clause : std::uint8_t { set, remove, add, remove_from_set } clause = Clause::set;
  std::uint32_t path = 0;
  std::uint32_t value = 0;  // a node: the SET value's tree, the ADD or DELETE value
};

struct Compiled {
  std::vector<Node> nodes;
  std::vector<Path> paths;
  Document values;                     // an array: the values the expression uses
  std::uint32_t root = 0;              // a condition
  std::vector<Action> actions;         // an update
  std::vector<std::uint32_t> project;  // a projection: its paths

  // The first element of the values' array, for Node::value to index from.
  std::vector<std::uint32_t> value_nodes;

  template <class T>
  static T wrap(std::shared_ptr<const Compiled> compiled) {
    T t;
    t.compiled_ = std::move(compiled);
    return t;
  }
};

// What the parser needs of a request: its substitutions, and the names and values it has used
// so far (for the check that all were).
struct Substitutions {
  const std::map<std::string, std::string>* names = nullptr;
  const std::map<std::string, std::string>* values = nullptr;
  std::map<std::string, bool, std::less<>> used_names, used_values;
};

// The kinds of expression, which DynamoDB names in its messages ("Invalid UpdateExpression: ").
enum class ExpressionKind : std::uint8_t { key_condition, condition, filter, update, projection };
std::string_view member_name(ExpressionKind kind);

// Parses and checks `text` as an expression of `kind`; throws ValidationError.
std::shared_ptr<Compiled> parse(ExpressionKind kind, std::string_view text,
                                Substitutions& substitutions);

// Sets compiled.values to the array of `texts` (plain JSON each) and value_nodes to its
// elements. Returns false when one of them is not JSON.
bool set_values(Compiled& compiled, const std::vector<std::string>& texts);

// Whether `name` is one of DynamoDB's reserved words, whatever its case (dynamo_reserved.cpp).
bool is_reserved_word(std::string_view name);

// "[a, b, [2]]": a path as DynamoDB's messages show it.
std::string describe(const Path& path);

// The older parameters, translated (dynamo_legacy.cpp).
std::shared_ptr<Compiled> translate_conditions(
    std::string_view member, std::string_view json,
    std::optional<std::string_view> conditional_operator);
std::shared_ptr<Compiled> translate_attribute_updates(std::string_view json);
std::shared_ptr<Compiled> translate_attributes_to_get(std::string_view json);
KeyCondition translate_key_conditions(std::string_view json, const KeySchema& keys);

// A key condition from a parsed KeyConditionExpression (dynamo.cpp).
KeyCondition key_condition(const Compiled& compiled, const KeySchema& keys);

}  // namespace millrace::expr::dynamo::detail
