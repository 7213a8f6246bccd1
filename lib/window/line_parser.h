// LineParser: one input line of ks-window to what the windows need of it, or the reason it is
// not a record for them.
//
// In the order of the checks: the line is whole JSON (not too long, valid, without integers
// beyond 64 bits); with envelopes, an object with "ts" (ISO 8601, the arrival time) and "data"
// (the record); with --time, the record's field is a time; with --where, the record matches.
// The first check that fails decides.
//
// A LineParser keeps parser state: one per thread; copies are independent. What it is built
// from (the --where condition) must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "lines/input.h"
#include "lines/json.h"
#include "lines/reader.h"
#include "lines/time.h"
#include "expr/condition.h"
#include "window/record.h"
#include "window/value.h"

namespace millrace::window {

struct ParsedLine {
  enum class Status : std::uint8_t { record, bad, filtered };
  Status status = Status::bad;
  // record: the event time (--time) or the arrival time (envelopes); 0 for processing time by
  // the clock, which is read when the record reaches its window, not here.
  lines::EpochMs time = 0;
  Record record;           // record
  std::string_view error;  // bad: what is wrong, for the diagnostic after FILE:LINE
};

class LineParser {
 public:
  // `projection` reads the --by and aggregate fields (Engine::projection()); `time_field` is the
  // --time field, `where` the --where condition, or null.
  LineParser(const Projection& projection, lines::InputFormat format, const std::optional<lines::Field>& time_field,
             const expr::Condition* where);

  // The same settings, with parser state of its own.
  LineParser(const LineParser& other);
  LineParser& operator=(const LineParser&) = delete;

  // Parses `lines`, the lines of `block` (what one read of the input brought, Reader::block),
  // into `parsed`, each line's values into `values` (value_count() per line) and their bytes
  // into `arena`. The lines are validated as one stream (lines::Validator::begin_block), and each
  // gets what it would get parsed alone.
  void parse_all(std::string_view block, std::span<const lines::Line> lines, Arena& arena, ParsedLine* parsed,
                 Value* values);

  const Projection& projection() const { return projection_; }

 private:
  // Parses `line`. The record's values are written to `values` (projection's value_count() of
  // them); its bytes, and an error's text, go to `arena`.
  ParsedLine parse(const lines::Line& line, Arena& arena, Value* values);
  ParsedLine bad(std::string_view what, Arena& arena) const;

  Projection projection_;
  lines::InputFormat format_;
  std::optional<std::string> time_field_;  // its spec, for the diagnostic
  const expr::Condition* where_;
  lines::Validator validator_;
};

}  // namespace millrace::window
