// The condition language of `ks-window --where`, `kv-put --if` and `kv-get --scan --where`.
//
//   `Magic Points` > 150 and Name in ('Shadowfax', 'Rocinante') and not /user/banned
//
// Grammar (keywords are case-insensitive; whitespace separates tokens and is otherwise ignored):
//
//   condition  = or ;
//   or         = and { "or" and } ;
//   and        = unary { "and" unary } ;
//   unary      = "not" unary | "(" or ")" | comparison ;
//   comparison = operand [ compare_op operand
//                        | "is" [ "not" ] "null"
//                        | [ "not" ] "in" "(" operand { "," operand } ")" ] ;
//   compare_op = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ;
//   operand    = number | string | "true" | "false" | "null" | field ;
//   number     = JSON number: [ "-" ] int [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
//   string     = "'" { char | "\" escaped } "'" | '"' { char | "\" escaped } '"' ;
//   field      = name | "`" { char | "\" escaped } "`" | pointer ;
//   name       = [A-Za-z_] { [A-Za-z0-9_] }, not a keyword ;
//   pointer    = "/" { any byte but whitespace and = ! < > ( ) , } , RFC 6901 (~0 is ~, ~1 is /) ;
//   escaped    = "\" | "'" | '"' | "`" ;
//
// So `not` binds tighter than `and`, which binds tighter than `or`, and a comparison tighter
// than all three (`not a = 1` is `not (a = 1)`). Comparisons do not chain: `a < b < c` is a
// syntax error. A backquoted field is read as a FIELD argument (lines::Field): a top-level
// name whatever its characters (`Magic Points`, `a=b`, `and`), or a pointer when it starts with
// '/' (`/user/first name`). A name that is also a keyword (and, True, NULL) needs backquotes.
//
// Semantics: two-valued, not SQL's three-valued logic. Values compare as expr/compare.h says
// (the comparison shared with DynamoDB's expressions); what follows is this language's.
//   - A missing field is null. `is null` is true for a missing field and for JSON null.
//   - Numbers compare by value across int64, uint64 and double, exactly (3 = 3.0;
//     2^53 + 1 > 2^53 as a double; 2^64 - 1 < 2^64).
//   - Strings compare by bytes (UTF-8, after JSON unescaping); false < true.
//   - null = null is true; null = anything else is false; null is not ordered (< > <= >= false).
//   - Values of different types (a number and a string, say) are not equal and not ordered:
//     != and <> are true, every other operator false. Objects and arrays equal nothing, not
//     even themselves: compare their members through a pointer.
//   - `x in (a, b)` is `x = a or x = b`; `x not in (a, b)` is its negation.
//   - A field used as a condition by itself (`active`, `not /user/banned`) holds when it is
//     JSON true and fails for anything else. A number, string or null literal used as a
//     condition is refused when compiling.
//
// Thread safety: a compiled Condition is immutable; matches() may run on many threads at once.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lines/json.h"

namespace millrace::expr {

class Condition {
 public:
  // Compiles `text`. A syntax error throws cli::Error(cli::Exit::usage, option,
  // "at column N: what is wrong"), N counting UTF-8 characters from 1; `option` names the
  // option the text came from ("--where", "--if"). Nesting of ( and not deeper than 256 is
  // refused the same way, to bound the recursion.
  static Condition compile(std::string_view text, std::string_view option = "--where");

  // Whether `record` satisfies the condition. Does not allocate and cannot fail.
  // REQUIRES: `record` is a DOM root. A line with an integer beyond 64 bits has none (Validator
  // reads it on demand); what to do with it is the caller's decision.
  bool matches(simdjson::dom::element record) const { return eval(root_, record); }

  // The fields the condition reads, each once, in order of first use.
  const std::vector<lines::Field>& fields() const { return fields_; }

  // The parts of a compiled condition; public only so that expr.cpp's helpers can name them.
  enum class Kind : std::uint8_t { null, boolean, int64, uint64, float64, string, composite };
  // A constant of the condition. Its string is an offset into strings_, not a string_view,
  // because moving a Condition may move a short string's bytes (SSO).
  struct Literal {
    Kind kind = Kind::null;
    bool boolean = false;
    std::int64_t int64 = 0;
    std::uint64_t uint64 = 0;
    double float64 = 0;
    std::uint32_t offset = 0, size = 0;
  };
  struct Operand {
    bool is_field = false;
    std::uint32_t index = 0;  // into literals_, or into paths_ when is_field
  };
  // One step of a field's path: a key, which is also an array index when it is one.
  struct Step {
    std::uint32_t offset = 0, size = 0;  // the unescaped key in strings_
    std::uint64_t index = kNoIndex;
    static constexpr std::uint64_t kNoIndex = ~std::uint64_t{0};
  };
  struct Path {
    std::uint32_t first = 0, count = 0;  // into steps_
  };
  // What a Node does. any (or) and all (and): a, b are a range of children_; negate: a is the
  // node negated; eq to ge: lhs against rhs; is_null, is_not_null, truthy: lhs; in, not_in: lhs
  // against the range a, b of list_; constant: a is 0 or 1. eq to ge stay in this order.
  enum class Op : std::uint8_t {
    any,
    all,
    negate,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    is_null,
    is_not_null,
    truthy,
    in,
    not_in,
    constant
  };
  struct Node {
    Op op = Op::constant;
    std::uint32_t a = 0, b = 0;
    Operand lhs, rhs;
  };
  struct Value;  // a value while evaluating (an expr::Scalar): a Literal, or a field's

 private:
  friend class ConditionParser;
  friend class DynamoTranslator;  // aws/dynamodb_expression.h: a condition as DynamoDB's
  Condition() = default;  // only compile() makes one, so every Condition has a root
  bool eval(std::uint32_t node, simdjson::dom::element record) const;
  Value load(Operand operand, simdjson::dom::element record) const;

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> children_;  // the operands of and, or and not, contiguous per node
  std::vector<Operand> list_;            // the values of in (...), contiguous per node
  std::vector<Literal> literals_;
  std::vector<Step> steps_;
  std::vector<Path> paths_;  // parallel to fields_
  std::vector<lines::Field> fields_;
  std::string strings_;  // the bytes of string literals and path keys
  std::uint32_t root_ = 0;
};

}  // namespace millrace::expr
