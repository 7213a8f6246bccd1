#include "window/select.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cli/error.h"

namespace millrace::window {
namespace {

std::string_view trim(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

[[noreturn]] void bad(std::string_view item, std::string_view what) {
  throw cli::Error(cli::Exit::usage, "--select", fmt::format("{}: {}", item, what));
}

// Splits at commas outside parentheses.
std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      items.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return items;
}

// "expr AS name" → {expr, name}; the AS is a whole word in any case.
std::pair<std::string_view, std::optional<std::string_view>> split_as(std::string_view item) {
  for (std::size_t i = item.size(); i-- > 1;) {
    if (i + 2 <= item.size() && (item[i] == 'a' || item[i] == 'A') && (item[i + 1] == 's' || item[i + 1] == 'S') &&
        std::isspace(static_cast<unsigned char>(item[i - 1])) &&
        (i + 2 == item.size() || std::isspace(static_cast<unsigned char>(item[i + 2])))) {
      std::string_view name = trim(item.substr(i + 2));
      if (name.empty()) bad(item, "AS needs a name");
      if (name.size() >= 2 && (name.front() == '"' || name.front() == '`') && name.back() == name.front())
        name = name.substr(1, name.size() - 2);
      return {trim(item.substr(0, i)), name};
    }
  }
  return {item, std::nullopt};
}

}  // namespace

std::vector<SelectItem> parse_select(std::string_view text, const std::vector<lines::Field>& by) {
  std::vector<SelectItem> items;
  for (std::string_view raw : split_items(text)) {
    if (raw.empty()) bad(text, "an empty item");
    auto [expr, as] = split_as(raw);
    SelectItem item;
    item.kind = SelectItem::Kind::group_field;
    item.name = std::string(as ? *as : expr);
    std::size_t open = expr.find('(');
    if (expr == "window_start") {
      item.kind = SelectItem::Kind::window_start;
    } else if (expr == "window_end") {
      item.kind = SelectItem::Kind::window_end;
    } else if (open != std::string_view::npos) {
      if (expr.back() != ')') bad(raw, "an aggregate call ends with )");
      std::string_view name = trim(expr.substr(0, open));
      std::vector<std::string_view> args = split_items(expr.substr(open + 1, expr.size() - open - 2));
      if (args.size() == 1 && args[0].empty()) args.clear();
      bool star = args.size() == 1 && args[0] == "*";
      int arity = star ? 0 : static_cast<int>(args.size());
      item.kind = SelectItem::Kind::aggregate;
      item.aggregate = find_aggregate(name, arity);
      if (item.aggregate == nullptr) {
        for (const AggregateKind& kind : aggregate_kinds())
          if (kind.name == name) bad(raw, fmt::format("wrong arguments; it is {}", kind.synopsis));
        bad(raw, fmt::format("no aggregate {} (see --help)", name));
      }
      if (arity >= 1) item.field.emplace(std::string(args[0]));
      if (arity == 2) {
        std::string_view q = args[1];
        auto [end, ec] = std::from_chars(q.data(), q.data() + q.size(), item.parameter);
        if (ec != std::errc() || end != q.data() + q.size()) bad(raw, fmt::format("{} is not a number", q));
      }
      if (item.aggregate->make(item.parameter) == nullptr) bad(raw, fmt::format("out of range; it is {}", item.aggregate->synopsis));
    } else {
      auto it = std::ranges::find(by, expr, &lines::Field::spec);
      if (it == by.end()) bad(raw, "not a --by field, window_start, window_end or an aggregate");
      item.group_index = static_cast<std::size_t>(it - by.begin());
    }
    for (const SelectItem& other : items)
      if (other.name == item.name) bad(raw, fmt::format("a second item named {} (use AS)", item.name));
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<std::unique_ptr<Accumulator>> make_accumulators(const std::vector<SelectItem>& items) {
  std::vector<std::unique_ptr<Accumulator>> accumulators;
  for (const SelectItem& item : items)
    if (item.kind == SelectItem::Kind::aggregate) accumulators.push_back(item.aggregate->make(item.parameter));
  return accumulators;
}

}  // namespace millrace::window
