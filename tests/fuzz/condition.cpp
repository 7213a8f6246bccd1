// The condition language (ks-window --where, kv-put --if, kv-get --where): expr::Condition.
//
// Input: the first line is a condition, the other lines are records (lines that are not JSON,
// or hold integers beyond 64 bits and so have no DOM, are skipped).
//
// Checks: compiling either throws cli::Error (usage, naming the option, "at column N: ..." with
// N within the text) or gives a Condition; then, on every record, `not (C)` gives the opposite
// answer and `(C) or not (C)` holds; a moved Condition answers as the one it was moved from;
// the fields it reads are listed once each.
#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "cli/error.h"
#include "expr/condition.h"
#include "fuzz.h"
#include "lines/json.h"

using namespace millrace;
using fuzz::require;

namespace {

constexpr std::string_view kOption = "--if";

std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Compiles `text`; a syntax error must be reported as the header says.
std::optional<expr::Condition> compile(std::string_view text) {
  try {
    return expr::Condition::compile(text, kOption);
  } catch (const cli::Error& e) {
    require(e.status() == cli::Exit::usage && e.where() == kOption, "a syntax error is not a usage error naming the option");
    std::string_view what = e.what();
    require(what.starts_with("at column "), "a syntax error does not name its column");
    what.remove_prefix(10);
    std::size_t column = 0;
    auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), column);
    require(ec == std::errc() && std::string_view(end, 2) == ": ", "a syntax error's column is not a number");
    require(column >= 1 && column <= characters(text) + 1, "a syntax error's column is outside the text");
    return std::nullopt;
  }
}

// Compiles `text`, a valid condition wrapped in more: only the nesting bound may refuse it.
std::optional<expr::Condition> compile_wrapped(const std::string& text) {
  try {
    return expr::Condition::compile(text, kOption);
  } catch (const cli::Error& e) {
    require(std::string_view(e.what()).find("nested deeper than") != std::string_view::npos,
            "a valid condition in parentheses or under not is refused");
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  std::string_view text = lines.empty() ? std::string_view() : lines[0];
  std::optional<expr::Condition> compiled = compile(text);
  if (!compiled) return 0;

  std::vector<std::string> pointers;
  for (const lines::Field& field : compiled->fields()) pointers.push_back(field.pointer());
  std::sort(pointers.begin(), pointers.end());
  require(std::adjacent_find(pointers.begin(), pointers.end()) == pointers.end(), "a field is listed twice");

  std::string body(text);
  std::optional<expr::Condition> negated = compile_wrapped("not (" + body + ")");
  std::optional<expr::Condition> always = compile_wrapped("(" + body + ") or not (" + body + ")");
  expr::Condition original = *compiled;
  expr::Condition moved = std::move(*compiled);

  static lines::Validator validator;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    fuzz::Padded record(lines[i]);
    simdjson::dom::element root;
    if (validator.parse(record.view()) != simdjson::SUCCESS || !validator.root(root)) continue;
    bool matches = original.matches(root);
    require(moved.matches(root) == matches, "a moved condition answers otherwise");
    if (negated) require(negated->matches(root) == !matches, "not (C) does not negate C");
    if (always) require(always->matches(root), "(C) or not (C) fails");
  }
  return 0;
}
