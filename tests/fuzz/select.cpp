// The --select list of ks-window (window::parse_select), and the aggregates it makes fed with
// values from records.
//
// Input: the first line holds the --by fields, separated by tabs; the second is the --select
// text; the other lines are records (lines that are not JSON, or have no DOM, are skipped).
//
// Checks: parsing either throws cli::Error (usage, naming --select) or gives items with unique
// names, each group field one of the --by fields, each aggregate with a field exactly when it
// takes one, and one accumulator per aggregate. Fed the records' values, an accumulator accepts
// exactly what check() said it would; the accumulators of every record, and of the even and
// odd records merged, write valid JSON; count(*) writes the number of records.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/error.h"
#include "fuzz.h"
#include "lines/json.h"
#include "window/aggregates.h"
#include "window/select.h"
#include "window/value.h"

using namespace millrace;
using fuzz::require;
using window::SelectItem;

namespace {

std::vector<lines::Field> by_fields(std::string_view text) {
  std::vector<lines::Field> by;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t tab = std::min(text.find('\t', start), text.size());
    by.emplace_back(std::string(text.substr(start, tab - start)));
    start = tab + 1;
  }
  return by;
}

std::optional<std::vector<SelectItem>> parse(std::string_view text, const std::vector<lines::Field>& by) {
  try {
    return window::parse_select(text, by);
  } catch (const cli::Error& e) {
    require(e.status() == cli::Exit::usage && e.where() == "--select", "a bad --select is not a usage error naming it");
    return std::nullopt;
  }
}

void check_items(const std::vector<SelectItem>& items, const std::vector<lines::Field>& by) {
  require(!items.empty(), "a --select list parses to no item");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const SelectItem& item = items[i];
    for (std::size_t j = 0; j < i; ++j) require(items[j].name != item.name, "two items have one name");
    if (item.kind == SelectItem::Kind::group_field) require(item.group_index < by.size(), "a group field is no --by field");
    if (item.kind != SelectItem::Kind::aggregate) continue;
    require(item.aggregate != nullptr, "an aggregate item has no aggregate");
    require(item.field.has_value() == (item.aggregate->arity >= 1), "an aggregate's field does not match its arity");
  }
}

bool valid_json(const std::string& text) {
  static lines::Validator validator;
  fuzz::Padded padded(text);
  return validator.parse(padded.view()) == simdjson::SUCCESS;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  if (lines.size() < 2) return -1;
  std::vector<lines::Field> by = by_fields(lines[0]);
  std::optional<std::vector<SelectItem>> items = parse(lines[1], by);
  if (!items) return 0;
  check_items(*items, by);

  std::vector<const SelectItem*> aggregates;
  for (const SelectItem& item : *items)
    if (item.kind == SelectItem::Kind::aggregate) aggregates.push_back(&item);
  auto all = window::make_accumulators(*items), even = window::make_accumulators(*items),
       odd = window::make_accumulators(*items);
  require(all.size() == aggregates.size(), "not one accumulator per aggregate");
  for (const auto& accumulator : all) require(accumulator != nullptr, "an aggregate has no accumulator");

  static lines::Validator validator;
  window::Arena arena;
  std::size_t records = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    fuzz::Padded record(lines[i]);
    simdjson::dom::element root;
    if (validator.parse(record.view()) != simdjson::SUCCESS || !validator.root(root)) continue;
    auto& half = records++ % 2 == 0 ? even : odd;
    for (std::size_t a = 0; a < aggregates.size(); ++a) {
      window::Value value;
      if (aggregates[a]->field)
        if (auto element = aggregates[a]->field->find(root)) value = window::Value::of(*element, arena);
      window::ValueError predicted = all[a]->check(value);
      require(all[a]->add(value) == predicted, "an accumulator's add() differs from its check()");
      if (half[a]->check(value) == window::ValueError::none) half[a]->add(value);
    }
  }
  for (std::size_t a = 0; a < aggregates.size(); ++a) {
    even[a]->merge(*odd[a]);
    std::string whole, merged;
    all[a]->write(whole);
    even[a]->write(merged);
    require(valid_json(whole), "an aggregate writes invalid JSON");
    require(valid_json(merged), "a merged aggregate writes invalid JSON");
    if (aggregates[a]->aggregate->arity == 0) require(whole == std::to_string(records), "count(*) miscounts");
  }
  return 0;
}
