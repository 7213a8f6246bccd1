// The --select list of ks-window: group fields, window bounds and aggregates, with AS names.
//
//   Name, window_start AS StatusTime, sum(Distance) AS Distance, count(*), percentile(x, 0.95)
//
// An item is a --by field, `window_start`, `window_end`, or an aggregate call; without AS its
// output key is its text ("sum(Distance)", "Name"). Output keys keep the order of the list.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/json.h"
#include "window/aggregates.h"

namespace millrace::window {

struct SelectItem {
  enum class Kind { group_field, window_start, window_end, aggregate } kind = Kind::group_field;
  std::string name;                       // the output key
  std::size_t group_index = 0;            // group_field: which --by field
  const AggregateKind* aggregate = nullptr;
  std::optional<lines::Field> field;      // the aggregate's field (none for count(*))
  double parameter = 0;                   // percentile's q
};

// Parses `text` against the --by fields. Throws cli::Error(usage, "--select", …) naming the
// item that is wrong: an unknown aggregate, a wrong number of arguments, a field that is not a
// --by field, a duplicate output name.
std::vector<SelectItem> parse_select(std::string_view text, const std::vector<lines::Field>& by);

// The accumulators of one window and group: one per aggregate item, in item order.
std::vector<std::unique_ptr<Accumulator>> make_accumulators(const std::vector<SelectItem>& items);

}  // namespace millrace::window
