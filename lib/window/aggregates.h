// The aggregates of `ks-window --select`, each written once, as one row of a table (name,
// synopsis, help, factory) from which --help, the man page and the --select parser derive.
//
// An accumulator folds the values of one field, record by record, into one result for one
// window and group. The Values it is given hold their text in the batch of records they came
// from, so an accumulator copies what it keeps.
//
// Results, as JSON:
//   - an integer stays an integer when every input was an integer (sum, min, max, first, last,
//     and percentiles, which then round their estimate to the nearest integer); avg is a
//     double; every double is printed in its shortest form that reads back the same, so an
//     avg of 1, 2 and 3 is written 2, and one of 1 and 2 is written 1.5;
//   - with no value (the field missing or null in every record): count and count_distinct
//     are 0; sum, avg, min, max, first, last and the percentiles are null (as in SQL).
//   - nulls and missing fields are ignored by every aggregate but count(*).
//
// Numbers: sum and avg add integers exactly in 128 bits, so the result is exact whenever it
// fits 64 bits, whatever the order of the values; a sum of integers beyond 64 bits is
// written as a double. Doubles are added with Neumaier's compensated summation (ten times
// 0.1 is 1). A double sum beyond the range of doubles is null. min and max compare int64,
// uint64 and double exactly, and return one of the values as it was (min of 1 and 2.5 is 1).
//
// Accumulators are not thread-safe; one belongs to one window of one group.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "window/value.h"

namespace millrace::window {

// Why an accumulator refused a value: an input error for the record, with its FILE:LINE,
// under --on-error. Never thrown: a stream of bad values must not be a stream of throws.
enum class ValueError {
  none,
  // A value the aggregate cannot take: a string, bool, object or array in sum, avg or a
  // percentile; a bool, object or array in min or max; a string in a min or max that holds
  // numbers or the reverse (and the same mix when two accumulators merge).
  wrong_type,
};

class Accumulator {
 public:
  virtual ~Accumulator() = default;

  // Whether add(value) would accept `value`, changing nothing. A record with several
  // aggregates is checked by all before any adds it, so that --on-error skip drops the whole
  // record and never half of it.
  virtual ValueError check(Value value) const = 0;
  // Adds the value of the aggregate's field in one record (missing when the record has no such
  // field; count(*), of arity 0, is given a missing value and counts every call). On an error,
  // this is left unchanged.
  virtual ValueError add(Value value) = 0;
  // Folds in `other` as if its values had been added here after this one's: first and last
  // follow that order, the other aggregates do not depend on it. On an error (min or max of
  // strings merged with min or max of numbers), this is left unchanged.
  // REQUIRES: `other` was made by the same AggregateKind with the same parameter.
  virtual ValueError merge(const Accumulator& other) = 0;
  // Appends the result as JSON to `out`.
  virtual void write(std::string& out) const = 0;
};

struct AggregateKind {
  std::string_view name;      // as written in --select: "sum"
  int arity;                  // 0 for count(*), 1 for f, 2 for percentile(f, q)
  std::string_view synopsis;  // "sum(f)": the left column of --help and of the man page
  std::string_view help;      // one line, lower case, no full stop
  // A new, empty accumulator; `parameter` is the q of percentile(f, q), ignored by the rest.
  // Returns nullptr when `parameter` is out of range (percentile: q outside (0, 1]), for the
  // --select parser to report with `synopsis`.
  std::unique_ptr<Accumulator> (*make)(double parameter);
};

// Every aggregate, in the order of --help.
std::span<const AggregateKind> aggregate_kinds();

// The aggregate called `name` taking `arity` arguments (count(*) and count(f) share a name),
// or nullptr. A parser that finds no row may look for `name` in aggregate_kinds() to tell an
// unknown aggregate from a wrong number of arguments.
const AggregateKind* find_aggregate(std::string_view name, int arity);

}  // namespace millrace::window
