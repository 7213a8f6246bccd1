#include "table/index_entries.h"

#include <fmt/format.h>

#include "lines/json.h"
#include "table/schema.h"

namespace millrace::table {
namespace {

// Appends the encodings of the index's key attributes of the item; false when one is missing,
// with `problem` set when one is there but unfit.
bool append_index_key(std::string& key, const store::IndexMeta& index, const std::vector<Attribute>& attributes,
                      std::optional<IndexProblem>* problem) {
  for (const store::KeyAttribute* attribute : {&index.partition, index.sort ? &*index.sort : nullptr}) {
    if (attribute == nullptr) continue;
    const Attribute* value = find_attribute(attributes, attribute->name);
    if (value == nullptr) return false;
    if (auto unfit = append_key_value(key, *attribute, *value)) {
      if (problem != nullptr) {
        auto fault = unfit->fault == KeyValueProblem::Fault::empty ? IndexProblem::Fault::empty : IndexProblem::Fault::wrong_type;
        *problem = IndexProblem{fault, index.name, attribute->name, fmt::format("index {}: {}", index.name, unfit->text)};
      }
      return false;
    }
  }
  return true;
}

bool projects(const store::TableMeta& table, const store::IndexMeta& index, std::string_view name) {
  auto is = [&](const std::optional<store::KeyAttribute>& a) { return a && a->name == name; };
  if (table.partition.name == name || is(table.sort) || index.partition.name == name || is(index.sort)) return true;
  if (index.projection != store::Projection::include) return false;
  for (const std::string& included : index.non_key)
    if (included == name) return true;
  return false;
}

}  // namespace

void append_entry_projection(std::string& out, const store::TableMeta& table, const store::IndexMeta& index,
                             const std::vector<Attribute>& attributes) {
  std::size_t start = out.size();
  out.push_back('{');
  for (const Attribute& a : attributes) {
    if (!projects(table, index, a.name)) continue;
    if (out.size() > start + 1) out.push_back(',');
    lines::append_json_string(out, a.name);
    out.push_back(':');
    out.append(a.value);
  }
  out.push_back('}');
}

std::optional<IndexProblem> index_problem(const store::TableMeta& table, const std::vector<Attribute>& attributes,
                                          std::string_view item_key) {
  std::string key;
  for (const store::IndexMeta& index : table.indexes) {
    key = store::item_key_prefix(index.id);
    std::optional<IndexProblem> problem;
    if (!append_index_key(key, index, attributes, &problem)) {
      if (problem) return problem;
      continue;
    }
    std::size_t bytes = key.size() + item_key.size() - 4;
    if (bytes > kMaxIndexEntryKeyBytes)
      return IndexProblem{IndexProblem::Fault::too_long, index.name, index.partition.name,
                          fmt::format("index {}: its key and the item's take {} bytes encoded; at most {} (LMDB's key limit)",
                                      index.name, bytes - 4, kMaxIndexEntryKeyBytes - 4)};
  }
  return std::nullopt;
}

bool index_entry(const store::TableMeta& table, const store::IndexMeta& index, const std::vector<Attribute>& attributes,
                 std::string_view item_key, std::string& key, std::string& projected) {
  key = store::item_key_prefix(index.id);
  if (!append_index_key(key, index, attributes, nullptr)) return false;
  key.append(item_key.substr(4));  // the item key after its table's prefix
  if (key.size() > kMaxIndexEntryKeyBytes) return false;
  projected.clear();
  if (index.projection != store::Projection::all) append_entry_projection(projected, table, index, attributes);
  return true;
}

std::string item_key_of_entry(std::uint32_t table_id, std::string_view entry_key, const store::IndexEntryValue& value) {
  return store::item_key_prefix(table_id).append(entry_key.substr(entry_key.size() - value.item_key_bytes));
}

void IndexUpkeep::entries_of(std::string_view item_key, std::string_view json, ItemParser& parser,
                             std::vector<Entry>& entries) {
  entries.resize(table_.indexes.size());
  const std::vector<Attribute>* attributes = parser.split(json);
  for (std::size_t i = 0; i < entries.size(); ++i)
    entries[i].present =
        attributes != nullptr && index_entry(table_, table_.indexes[i], *attributes, item_key, entries[i].key, entries[i].projected);
}

void IndexUpkeep::write(store::IndexMeta& index, const Entry& entry, std::size_t item_bytes, std::size_t item_key_bytes,
                        lines::EpochMs expires_ms) {
  value_.clear();
  store::encode_index_entry(value_, expires_ms, item_key_bytes, entry.projected);
  txn_.put(txn_.dbs().indexes, entry.key, value_);
  ++index.items;
  index.bytes += index.projection == store::Projection::all ? item_bytes : entry.projected.size();
}

void IndexUpkeep::update(std::string_view item_key, const store::StoredItem* old, const std::string_view* json,
                         lines::EpochMs expires_ms, const EntryObserver* observer) {
  // Both items are parsed (and so copied) before anything is written: a write ends the view of
  // the old item.
  if (old != nullptr) entries_of(item_key, old->json, old_parser_, old_entries_);
  if (json != nullptr) entries_of(item_key, *json, new_parser_, new_entries_);
  auto was_of = [&](std::size_t i) { return old != nullptr && old_entries_[i].present ? &old_entries_[i] : nullptr; };
  auto is_of = [&](std::size_t i) { return json != nullptr && new_entries_[i].present ? &new_entries_[i] : nullptr; };
  if (observer != nullptr) {
    for (std::size_t i = 0; i < table_.indexes.size(); ++i) {
      const Entry* was = was_of(i);
      const Entry* is = is_of(i);
      if (was == nullptr && is == nullptr) continue;
      bool all = table_.indexes[i].projection == store::Projection::all;
      EntryChange change{table_.indexes[i], std::nullopt, std::nullopt, was != nullptr && is != nullptr && was->key == is->key};
      if (was != nullptr) change.was = all ? old->json : std::string_view(was->projected);
      if (is != nullptr) change.is = all ? *json : std::string_view(is->projected);
      (*observer)(change);
    }
  }
  for (std::size_t i = 0; i < table_.indexes.size(); ++i) {
    store::IndexMeta& index = table_.indexes[i];
    const Entry* was = was_of(i);
    const Entry* is = is_of(i);
    if (was != nullptr && is != nullptr && was->key == is->key && was->projected == is->projected &&
        old->expires_ms == expires_ms) {
      if (index.projection == store::Projection::all) index.bytes += json->size() - old->json.size();
      continue;  // the entry stays as it is
    }
    if (was != nullptr) {
      txn_.del(txn_.dbs().indexes, was->key);
      --index.items;
      index.bytes -= index.projection == store::Projection::all ? old->json.size() : was->projected.size();
    }
    if (is != nullptr) write(index, *is, json->size(), item_key.size() - 4, expires_ms);
  }
}

std::uint64_t IndexUpkeep::backfill(store::IndexMeta& index) {
  std::string prefix = store::item_key_prefix(table_.id);
  Entry entry;
  std::uint64_t made = 0;
  store::Cursor cursor(txn_, txn_.dbs().items);
  for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    store::StoredItem item = store::decode_item(cursor.value());
    const std::vector<Attribute>* attributes = new_parser_.split(item.json);
    if (attributes == nullptr || !index_entry(table_, index, *attributes, cursor.key(), entry.key, entry.projected)) continue;
    // The cursor walks `items`; the entries go to `indexes`, which it does not see.
    write(index, entry, item.json.size(), cursor.key().size() - 4, item.expires_ms);
    ++made;
  }
  return made;
}

}  // namespace millrace::table
