#include "window/line_parser.h"

#include <fmt/format.h>

namespace millrace::window {

LineParser::LineParser(const Projection& projection, lines::InputFormat format,
                       const std::optional<lines::Field>& time_field, const expr::Condition* where)
    : projection_(time_field ? projection.with_time(*time_field) : projection), format_(format), where_(where) {
  if (time_field) time_field_ = time_field->spec();
}

LineParser::LineParser(const LineParser& other)
    : projection_(other.projection_), format_(other.format_), time_field_(other.time_field_), where_(other.where_) {}

ParsedLine LineParser::bad(std::string_view what, Arena& arena) const {
  ParsedLine parsed;
  parsed.status = ParsedLine::Status::bad;
  parsed.error = arena.copy(what);
  return parsed;
}

ParsedLine LineParser::parse(const lines::Line& line, Arena& arena, Value* values) {
  if (line.too_long) return bad("line too long", arena);
  if (auto error = validator_.parse(line.text)) return bad(lines::describe(error), arena);
  simdjson::dom::element record;
  if (!validator_.root(record)) return bad("integers beyond 64 bits cannot be aggregated", arena);
  ParsedLine parsed;
  if (format_ == lines::InputFormat::envelope) {
    simdjson::dom::element ts, data;
    if (record["ts"].get(ts) || record["data"].get(data) || !ts.is_string())
      return bad("not an envelope with \"ts\" and \"data\"", arena);
    parsed.time = lines::iso8601_ms(ts.get_string().value_unsafe());
    if (parsed.time == lines::kNotATime) return bad("envelope \"ts\" is not an ISO 8601 time", arena);
    record = data;
  }
  // One pass over the record's keys finds the --time field with the others.
  parsed.record = projection_.read(record, arena, values);
  if (time_field_) {
    auto value = projection_.time();
    parsed.time = value ? lines::time_value(*value) : lines::kNotATime;
    if (parsed.time == lines::kNotATime)
      return bad(fmt::format("--time field {} is missing or not a time", *time_field_), arena);
  }
  if (where_ != nullptr && !where_->matches(record)) {
    parsed.status = ParsedLine::Status::filtered;
    return parsed;
  }
  parsed.status = ParsedLine::Status::record;
  return parsed;
}

void LineParser::parse_all(std::string_view block, std::span<const lines::Line> lines, Arena& arena,
                           ParsedLine* parsed, Value* values) {
  validator_.begin_block(block);
  std::size_t stride = projection_.value_count();
  for (std::size_t i = 0; i < lines.size(); ++i) parsed[i] = parse(lines[i], arena, values + i * stride);
}

}  // namespace millrace::window
