#include "store/tables.h"

#include <lmdb.h>

#include <fmt/format.h>

#include "cli/error.h"
#include "store/codec.h"
#include "store/keys.h"
#include "store/tags.h"
#include "table/index_entries.h"

namespace millrace::store {
namespace {

// Value layouts. DO NOT CHANGE the order of fields: append new ones at the end, and bump the
// layout byte. Table layout 2 appended the billing mode, the time it became on demand, the
// provisioned units and deletion protection; a layout-1 table (older kv-put) reads as on demand
// since its creation. Layout 3 appended the attribute definitions and the secondary indexes.
constexpr std::uint8_t kTableLayout = 3;
constexpr std::uint8_t kIndexEntryLayout = 1;
constexpr std::uint8_t kItemLayout = 1;
constexpr std::string_view kNextTableId = "next_table_id";  // in meta

// A key attribute: its type as DynamoDB names it ('S', 'N', 'B'), then its name.
void encode_attribute(Encoder& e, const KeyAttribute& a) { e.u8(static_cast<std::uint8_t>(type_name(a.type)[0])).str(a.name); }

KeyAttribute decode_attribute(Decoder& d) {
  KeyAttribute a;
  char type = static_cast<char>(d.u8());
  auto known = key_type_named(std::string_view(&type, 1));
  if (!known) throw cli::Error(cli::Exit::unavailable, "", fmt::format("unknown key type {:?} in a table", type));
  a.type = *known;
  a.name = d.str();
  return a;
}

std::string encode(const TableMeta& t) {
  std::string v;
  Encoder e(v);
  e.u8(kTableLayout).u32(t.id).i64(t.created_ms);
  encode_attribute(e, t.partition);
  e.u8(t.sort ? 1 : 0);
  if (t.sort) encode_attribute(e, *t.sort);
  e.u8(t.ttl ? 1 : 0);
  if (t.ttl) e.str(*t.ttl);
  e.u64(t.items).u64(t.bytes).u64(t.changes);
  e.u8(t.billing == BillingMode::provisioned ? 'P' : 'D').i64(t.on_demand_since_ms).i64(t.read_units).i64(t.write_units);
  e.u8(t.deletion_protection ? 1 : 0);
  e.u16(static_cast<std::uint16_t>(t.definitions.size()));
  for (const KeyAttribute& a : t.definitions) encode_attribute(e, a);
  e.u8(static_cast<std::uint8_t>(t.indexes.size()));
  for (const IndexMeta& index : t.indexes) {
    e.str(index.name).u8(index.kind == IndexKind::local ? 'L' : 'G').u32(index.id);
    encode_attribute(e, index.partition);
    e.u8(index.sort ? 1 : 0);
    if (index.sort) encode_attribute(e, *index.sort);
    e.u8(static_cast<std::uint8_t>(index.projection)).u16(static_cast<std::uint16_t>(index.non_key.size()));
    for (const std::string& name : index.non_key) e.str(name);
    e.u8(index.provisioned ? 1 : 0).i64(index.read_units).i64(index.write_units).u64(index.items).u64(index.bytes);
  }
  return v;
}

TableMeta decode_table(std::string_view name, std::string_view value) {
  Decoder d(value, "table");
  TableMeta t;
  t.name = name;
  std::uint8_t layout = d.u8();
  if (layout < 1 || layout > kTableLayout) throw cli::Error(cli::Exit::unavailable, t.name, "unknown table layout");
  t.id = d.u32();
  t.created_ms = d.i64();
  t.partition = decode_attribute(d);
  if (d.u8() != 0) t.sort = decode_attribute(d);
  if (d.u8() != 0) t.ttl = std::string(d.str());
  t.items = d.u64();
  t.bytes = d.u64();
  t.changes = d.u64();
  if (layout == 1) {
    t.on_demand_since_ms = t.created_ms;
    return t;
  }
  t.billing = d.u8() == 'P' ? BillingMode::provisioned : BillingMode::pay_per_request;
  t.on_demand_since_ms = d.i64();
  t.read_units = d.i64();
  t.write_units = d.i64();
  t.deletion_protection = d.u8() != 0;
  if (layout == 2) return t;
  for (std::uint16_t n = d.u16(); n > 0; --n) t.definitions.push_back(decode_attribute(d));
  for (std::uint8_t n = d.u8(); n > 0; --n) {
    IndexMeta& index = t.indexes.emplace_back();
    index.name = d.str();
    index.kind = d.u8() == 'L' ? IndexKind::local : IndexKind::global;
    index.id = d.u32();
    index.partition = decode_attribute(d);
    if (d.u8() != 0) index.sort = decode_attribute(d);
    std::uint8_t projection = d.u8();
    if (projection > static_cast<std::uint8_t>(Projection::include))
      throw cli::Error(cli::Exit::unavailable, t.name, "unknown index projection");
    index.projection = static_cast<Projection>(projection);
    for (std::uint16_t k = d.u16(); k > 0; --k) index.non_key.emplace_back(d.str());
    index.provisioned = d.u8() != 0;
    index.read_units = d.i64();
    index.write_units = d.i64();
    index.items = d.u64();
    index.bytes = d.u64();
  }
  return t;
}

std::string expiry_key(std::uint32_t table_id, lines::EpochMs expires_ms, std::string_view item_key) {
  std::string key;
  Encoder(key).u32(table_id).u64(static_cast<std::uint64_t>(expires_ms)).bytes(item_key);
  return key;
}

}  // namespace

std::optional<TableMeta> find_table(const Txn& txn, std::string_view name) {
  auto value = txn.get(txn.dbs().tables, name);
  if (!value) return std::nullopt;
  return decode_table(name, *value);
}

cli::Error no_such_table(std::string_view name) {
  return cli::Error(cli::Exit::no_input, std::string(name),
                    fmt::format("no such table; create it with 'kv-put -t {} -k KEY --create'", name));
}

TableMeta table_or_throw(const Txn& txn, std::string_view name) {
  auto table = find_table(txn, name);
  if (!table) throw no_such_table(name);
  return *table;
}

std::vector<TableMeta> list_tables(const Txn& txn) {
  std::vector<TableMeta> tables;
  Cursor cursor(txn, txn.dbs().tables);
  for (bool ok = cursor.seek({}); ok; ok = cursor.next()) tables.push_back(decode_table(cursor.key(), cursor.value()));
  return tables;
}

void save_table(const Txn& txn, const TableMeta& table) { txn.put(txn.dbs().tables, table.name, encode(table)); }

const IndexMeta* TableMeta::index(std::string_view index_name) const {
  for (const IndexMeta& i : indexes)
    if (i.name == index_name) return &i;
  return nullptr;
}

std::vector<KeyAttribute> attribute_definitions(const TableMeta& table) {
  if (!table.definitions.empty()) return table.definitions;
  std::vector<KeyAttribute> keys{table.partition};
  if (table.sort) keys.push_back(*table.sort);
  return keys;
}

std::uint32_t next_id(const Txn& txn) {
  std::uint32_t id = 1;
  if (auto value = txn.get(txn.dbs().meta, kNextTableId)) id = Decoder(*value, "meta").u32();
  std::string next;
  Encoder(next).u32(id + 1);
  txn.put(txn.dbs().meta, kNextTableId, next);
  return id;
}

TableMeta create_table(const Txn& txn, TableMeta table, lines::EpochMs now) {
  if (find_table(txn, table.name)) throw cli::Error(cli::Exit::cant_create, table.name, "table exists already");
  table.id = next_id(txn);
  for (IndexMeta& index : table.indexes) {
    index.id = next_id(txn);
    index.items = index.bytes = 0;
  }
  table.created_ms = now;
  if (table.billing == BillingMode::pay_per_request) table.on_demand_since_ms = now;
  table.items = table.bytes = table.changes = 0;
  save_table(txn, table);
  return table;
}

namespace {

void delete_prefixed(const Txn& txn, MDB_dbi dbi, const std::string& prefix) {
  Cursor cursor(txn, dbi);
  bool ok = cursor.seek(prefix);
  while (ok && cursor.key().starts_with(prefix)) {
    cursor.del();
    ok = cursor.next();
  }
}

}  // namespace

void delete_index_entries(const Txn& txn, std::uint32_t index_id) {
  delete_prefixed(txn, txn.dbs().indexes, item_key_prefix(index_id));
}

TableMeta delete_table(const Txn& txn, std::string_view name) {
  TableMeta table = table_or_throw(txn, name);
  std::string prefix = item_key_prefix(table.id);
  for (MDB_dbi dbi : {txn.dbs().items, txn.dbs().expiry}) delete_prefixed(txn, dbi, prefix);
  for (const IndexMeta& index : table.indexes) delete_index_entries(txn, index.id);
  save_tags(txn, keys::table_tags(table.id), {});
  txn.del(txn.dbs().tables, name);
  return table;
}

std::string item_key_prefix(std::uint32_t table_id) {
  std::string key;
  Encoder(key).u32(table_id);
  return key;
}

StoredItem decode_item(std::string_view value) {
  Decoder d(value, "item");
  if (d.u8() != kItemLayout) throw cli::Error(cli::Exit::unavailable, "", "unknown item layout");
  StoredItem item;
  item.expires_ms = d.i64();
  item.json = d.rest();
  return item;
}

void encode_index_entry(std::string& out, lines::EpochMs expires_ms, std::size_t item_key_bytes, std::string_view json) {
  Encoder(out).u8(kIndexEntryLayout).i64(expires_ms).u16(static_cast<std::uint16_t>(item_key_bytes)).bytes(json);
}

IndexEntryValue decode_index_entry(std::string_view value) {
  Decoder d(value, "index entry");
  if (d.u8() != kIndexEntryLayout) throw cli::Error(cli::Exit::unavailable, "", "unknown index entry layout");
  IndexEntryValue entry;
  entry.expires_ms = d.i64();
  entry.item_key_bytes = d.u16();
  entry.json = d.rest();
  return entry;
}

ItemWriter::ItemWriter(const Txn& txn, TableMeta& table) : txn_(txn), table_(table) {}
ItemWriter::~ItemWriter() = default;

table::IndexUpkeep& ItemWriter::indexes() {
  if (!indexes_) indexes_ = std::make_unique<table::IndexUpkeep>(txn_, table_);
  return *indexes_;
}

std::optional<StoredItem> ItemWriter::get(std::string_view key) const {
  auto value = txn_.get(txn_.dbs().items, key);
  if (!value) return std::nullopt;
  return decode_item(*value);
}

namespace {

// Writes an item's value into `out`, which has room for it.
void encode_item(char* out, lines::EpochMs expires_ms, std::string_view json) {
  std::string header;
  Encoder(header).u8(kItemLayout).i64(expires_ms);
  std::copy(header.begin(), header.end(), out);
  std::copy(json.begin(), json.end(), out + header.size());
}

constexpr std::size_t kItemHeaderBytes = 9;

}  // namespace

void ItemWriter::put(std::string_view key, const std::optional<StoredItem>& old, lines::EpochMs expires_ms,
                     std::string_view json, const std::function<void(const table::EntryChange&)>* observer) {
  // First, while the old item's view is alive: the index upkeep reads it.
  if (!table_.indexes.empty()) indexes().update(key, old ? &*old : nullptr, &json, expires_ms, observer);
  if (old) {
    if (old->expires_ms != 0) set_expiry(key, old->expires_ms, false);
    table_.bytes -= old->json.size();
  } else {
    ++table_.items;
  }
  table_.bytes += json.size();
  // The old item's view dies with this put: everything needed of it was used above.
  encode_item(txn_.reserve(txn_.dbs().items, key, kItemHeaderBytes + json.size()), expires_ms, json);
  if (expires_ms != 0) set_expiry(key, expires_ms, true);
}

bool ItemWriter::put_blind(std::string_view key, std::string_view json, std::string* replaced) {
  if (!table_.indexes.empty()) {  // the old item's entries go
    std::optional<StoredItem> old = get(key);
    if (old && replaced != nullptr) replaced->assign(old->json);
    put(key, old, 0, json);
    return old.has_value();
  }
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v{kItemHeaderBytes + json.size(), nullptr};
  int rc = mdb_put(txn_.get(), txn_.dbs().items, &k, &v, MDB_NOOVERWRITE | MDB_RESERVE);
  if (rc == MDB_KEYEXIST) {  // v is the item there
    StoredItem old = decode_item({static_cast<const char*>(v.mv_data), v.mv_size});
    if (replaced != nullptr) replaced->assign(old.json);
    put(key, old, 0, json);
    return true;
  }
  check(rc, "put");
  ++table_.items;
  table_.bytes += json.size();
  encode_item(static_cast<char*>(v.mv_data), 0, json);
  return false;
}

void ItemWriter::remove(std::string_view key, const StoredItem& old,
                        const std::function<void(const table::EntryChange&)>* observer) {
  if (!table_.indexes.empty()) indexes().update(key, &old, nullptr, 0, observer);
  if (old.expires_ms != 0) set_expiry(key, old.expires_ms, false);
  --table_.items;
  table_.bytes -= old.json.size();
  txn_.del(txn_.dbs().items, key);
}

bool ItemWriter::remove_expired(lines::EpochMs now,
                                const std::function<void(std::string_view key, const StoredItem& item)>& removed) {
  std::string prefix = item_key_prefix(table_.id);
  std::string entry, key;
  lines::EpochMs expires_ms = 0;
  {
    Cursor cursor(txn_, txn_.dbs().expiry);
    if (!cursor.seek(prefix) || !cursor.key().starts_with(prefix)) return false;
    entry = cursor.key();
  }
  Decoder d(entry, "expiry key");
  d.u32();
  expires_ms = static_cast<lines::EpochMs>(d.u64());
  if (expires_ms > now) return false;
  key = d.rest();
  std::optional<StoredItem> item = get(key);
  if (item && item->expires_ms == expires_ms) {
    removed(key, *item);
    remove(key, *item);
  } else {  // an entry that no item matches any more: never left by this module, but harmless
    txn_.del(txn_.dbs().expiry, entry);
  }
  return true;
}

void ItemWriter::set_expiry(std::string_view key, lines::EpochMs expires_ms, bool present) {
  std::string entry = expiry_key(table_.id, expires_ms, key);
  if (present) {
    txn_.put(txn_.dbs().expiry, entry, {});
  } else {
    txn_.del(txn_.dbs().expiry, entry);
  }
}

}  // namespace millrace::store
