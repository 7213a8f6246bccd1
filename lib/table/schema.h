// A table's key schema at work: the table kv-put writes to (found, or created), and the keys of
// its items.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"
#include "store/tables.h"
#include "table/item.h"

namespace millrace::table {

inline const std::vector<std::pair<std::string, store::KeyType>> kKeyTypes = {
    {"string", store::KeyType::string}, {"number", store::KeyType::number}, {"binary", store::KeyType::binary}};

// What the command line says of the table: -t, -k, --sort-key, --key-type, --sort-key-type,
// --ttl, --create.
struct TableSpec {
  std::string name;
  std::optional<std::string> partition, sort;  // attribute names
  std::optional<store::KeyType> partition_type, sort_type;
  std::optional<std::string> ttl;
  bool create = false;
};

// A key attribute named on the command line: a top-level name ("Name", or "/Name"), as
// DynamoDB's key attributes are. Throws cli::Error(usage) naming `option` for a nested pointer.
std::string attribute_argument(const std::string& field, const std::string& option);

// What `spec` names of the table's schema that `table` does not have ("its sort key is b, not
// c"), or nullopt when they agree.
std::optional<std::string> disagreement(const store::TableMeta& table, const TableSpec& spec);
// The name and key schema of the table `spec` creates, the key types not given taken from the
// item's `attributes` (a string, a number, or a binary written {"$B": base64}), into `table`.
// Returns what is wrong with the item instead (a key attribute missing, or of none of these
// types). REQUIRES spec.partition.
std::optional<std::string> schema_from(const TableSpec& spec, const std::vector<Attribute>& attributes,
                                       store::TableMeta& table);

// The table to write to. An existing table must agree with what `spec` names of its schema
// (else cli::Error(usage)); a TTL attribute in `spec` is recorded on it. A missing table is
// cli::Error(no_input) without spec.create, and with it is created now, unless a key type is
// neither given nor known: then nullopt, and create_from() makes it from the first item.
std::optional<store::TableMeta> open_table(store::Env& env, const TableSpec& spec);
// Creates the table of `spec` with schema_from()'s key schema. Returns what is wrong with the
// item instead.
std::optional<std::string> create_from(store::Env& env, const TableSpec& spec,
                                       const std::vector<Attribute>& attributes, store::TableMeta& table);

// Writes to `key` the item key of the item with `attributes`: the table's prefix, then its
// partition and sort key encoded. Returns what is wrong instead: a key attribute missing or of
// the wrong type, an empty string, a number beyond DynamoDB's, a key over store::kMaxKeyBytes.
std::optional<std::string> item_key(const store::TableMeta& table, const std::vector<Attribute>& attributes,
                                    std::string& key);
// How a value fails to be a key of its attribute's type, in words naming the attribute.
struct KeyValueProblem {
  enum class Fault { wrong_type, empty, invalid };
  Fault fault;
  std::string text;
};
// Appends the encoding of `value` as a key of `attribute`'s type; returns what is wrong instead
// (of the wrong type, an empty string or binary, a number beyond DynamoDB's).
std::optional<KeyValueProblem> append_key_value(std::string& key, const store::KeyAttribute& attribute,
                                                const Attribute& value);
// The same from key values given as arguments (kv-get TABLE KEY [SORTKEY]), each converted to
// its attribute's type.
std::optional<std::string> item_key(const store::TableMeta& table, std::string_view partition,
                                    std::optional<std::string_view> sort, std::string& key);
// Appends the encoding of `value`, an argument, as a key of `type`: its bytes for a string, a
// number written in JSON's grammar for a number, base64 for a binary. Returns what is wrong
// instead.
std::optional<std::string> append_key_argument(std::string& key, store::KeyType type, std::string_view value);

// Appends {"PARTITION":value,"SORT":value}, the item's key attributes as written (the "Keys"
// of a change record).
void append_keys_json(std::string& out, const store::TableMeta& table, const std::vector<Attribute>& attributes);

// Sets the table's TTL attribute (nullopt: none), as kv-put --ttl and UpdateTimeToLive do, and
// the expiry of every item it holds from it, in the write transaction `txn`; saves the table.
void set_ttl(const store::Txn& txn, store::TableMeta& table, std::optional<std::string> attribute);

// The expiry time of an item with `attributes`, from the table's TTL attribute: epoch seconds
// (or milliseconds from 10^11 on) or an ISO 8601 string; 0 when the table has no TTL or the
// item no valid TTL value (it never expires, as in DynamoDB). A time at or before the epoch
// counts as already expired.
lines::EpochMs expiry(const store::TableMeta& table, const std::vector<Attribute>& attributes);

}  // namespace millrace::table
