// Capacity units as DynamoDB counts them (DynamoDB developer guide, "Read/write capacity
// mode"): the one count of gw-serve's ConsumedCapacity (serve/dynamodb_capacity.h) and of the
// ConsumedWriteCapacityUnits and ConsumedReadCapacityUnits that kv-put and gw-serve record
// (metrics/dynamodb.h).
//
// - An item read costs a read unit per 4 KB (at least one, an item that is not there too),
//   half of it when eventually consistent, twice a consistent read's in a transaction.
// - An item write costs a write unit per KB (at least one) of the larger of the item written
//   and the item it replaces; twice that in a transaction.
// Sizes are DynamoDB's: each attribute's name plus its value's size (aws/attribute_value.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace millrace::table {

// A transaction's action costs twice what the same write or consistent read costs alone.
inline constexpr double kTransactionFactor = 2;

// DynamoDB's units for an item of `size` bytes: writes by the KB (at least 1), reads by 4 KB,
// halved when eventually consistent. A Query or Scan costs the read units of the bytes of all
// it read, summed.
double write_units(std::size_t size);
double read_units(std::size_t size, bool consistent);

// How an item is read: GetItem and BatchGetItem without or with ConsistentRead, or in a
// TransactGetItems (and a transaction's ConditionCheck).
enum class ItemRead { eventual, consistent, transactional };
// The read units of one item read of an item of `size` bytes (0: not there), as DynamoDB charges
// a read whether or not it finds the item.
double item_read_units(std::size_t size, ItemRead read);

// The write units of an item write: the larger of the item replaced's (nullopt: there was
// none) and the item written's (nullopt: a delete); 0 when neither is there.
double item_write_units(std::optional<std::size_t> replaced, std::optional<std::size_t> written);

// The DynamoDB size of the plain JSON item `json` (its typed form's); its text's size when it
// is not an item.
std::size_t item_size(std::string_view json);

// The write units of the plain JSON item `json`, that of its size, measured only when it may be
// more than one: no value's DynamoDB size passes three times its JSON text (a number of one
// digit, 2 bytes; an element of a list, a byte more than its value and a comma), so an item of
// at most 341 bytes of text is one unit. kv-put counts each item's units this way, at the
// cost of a comparison for most items.
double item_write_units(std::string_view json);

}  // namespace millrace::table
