#include "serve/dynamodb_capacity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lines/json.h"
#include "serve/api.h"
#include "serve/dynamodb_item_write.h"

namespace millrace::serve::dynamodb {
namespace {

// The overhead the guide gives each entry of a local secondary index (its "Storage
// considerations"): DynamoDB Local counts it in the entry's write units, not in its reads.
constexpr std::size_t kLocalEntryOverheadBytes = 100;

// DynamoDB writes whole units with a decimal point (1.0), halves as they are (0.5).
std::string format_units(double units) {
  return units == std::floor(units) ? fmt::format("{:.1f}", units) : fmt::format("{}", units);
}

void append_units(std::string& out, double units) {
  out.append("{\"CapacityUnits\":").append(format_units(units)).push_back('}');
}

}  // namespace

CapacityDetail capacity_detail(simdjson::dom::element request) {
  std::string_view detail = string_member(request, "ReturnConsumedCapacity").value_or("NONE");
  return detail == "TOTAL" ? CapacityDetail::total : detail == "INDEXES" ? CapacityDetail::indexes : CapacityDetail::none;
}

double Consumed::total() const {
  double sum = table_;
  for (const IndexUnits& index : indexes_) sum += index.units;
  return sum;
}

double Consumed::table_capacity_units() const {
  double sum = table_;
  for (const IndexUnits& index : indexes_)
    if (index.kind == store::IndexKind::local) sum += index.units;
  return sum;
}

std::vector<std::pair<std::string_view, double>> Consumed::global_index_units() const {
  std::vector<std::pair<std::string_view, double>> units;
  for (const IndexUnits& index : indexes_)
    if (index.kind == store::IndexKind::global) units.emplace_back(index.name, index.units);
  return units;
}

void Consumed::add_index(const store::IndexMeta& index, double units) {
  auto known = std::find_if(indexes_.begin(), indexes_.end(), [&](const IndexUnits& i) { return i.name == index.name; });
  if (known == indexes_.end()) known = indexes_.insert(indexes_.end(), IndexUnits{index.name, index.kind});
  known->units += units;
}

table::EntryObserver Consumed::index_writes(bool replaces_live, double factor) {
  return [this, replaces_live, factor](const table::EntryChange& change) {
    std::optional<std::string_view> was = replaces_live ? change.was : std::nullopt;
    if (!was && !change.is) return;
    if (was && change.is && *was == *change.is) return;  // the entry stays as it was
    std::size_t overhead = change.index.kind == store::IndexKind::local ? kLocalEntryOverheadBytes : 0;
    std::optional<std::size_t> before, after;
    if (was) before = size_of(*was) + overhead;
    if (change.is) after = size_of(*change.is) + overhead;
    // In place: the larger entry's units, as the table's; moved: a delete and a put.
    double units = was && change.is && !change.same_key ? write_units(*before) + write_units(*after) : item_write_units(before, after);
    add_index(change.index, factor * units);
  };
}

void Consumed::append(std::string& out, CapacityDetail detail) const {
  out.append("{\"TableName\":");
  lines::append_json_string(out, table_name_);
  out.append(",\"CapacityUnits\":").append(format_units(total()));
  if (detail == CapacityDetail::indexes) {
    out.append(",\"Table\":");
    append_units(out, table_);
    for (store::IndexKind kind : {store::IndexKind::local, store::IndexKind::global}) {
      bool first = true;
      for (const IndexUnits& index : indexes_) {
        if (index.kind != kind) continue;
        out.append(first ? (kind == store::IndexKind::local ? ",\"LocalSecondaryIndexes\":{" : ",\"GlobalSecondaryIndexes\":{") : ",");
        first = false;
        lines::append_json_string(out, index.name);
        out.push_back(':');
        append_units(out, index.units);
      }
      if (!first) out.push_back('}');
    }
  }
  out.push_back('}');
}

void append_capacities(std::string& out, const std::vector<Consumed>& tables, CapacityDetail detail) {
  out.append("\"ConsumedCapacity\":[");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) out.push_back(',');
    tables[i].append(out, detail);
  }
  out.push_back(']');
}

}  // namespace millrace::serve::dynamodb
