// Keys of a table's items, encoded so that LMDB's byte order is DynamoDB's key order.
//
// A key attribute is a string, a number or a binary, fixed per attribute when the table is
// created. Strings and binaries sort by their bytes, numbers by value (negative, fractional, and up to DynamoDB's 38
// significant digits, exactly: 1.50, 1.5 and 15e-1 are one key). Each encoding delimits itself,
// so a partition key's encoding followed by a sort key's sorts by partition key, then sort key,
// and a query by partition key is a prefix scan.
//
//   string: its bytes, each 0x00 written as 0x00 0xFF, then 0x00 0x01. The empty string and
//           anything that is a prefix of another sort first.
//   binary: as a string, of its bytes (DynamoDB's "B" keys compare as unsigned bytes). An
//           attribute's type is fixed, so a string key never meets a binary one.
//   number: 0x02 for zero. A positive number 0.d1d2…dn × 10^e (d1 ≠ 0, dn ≠ 0): 0x03, then
//           e + 0x8000 as two big-endian bytes, then each digit d as the byte d + 1, then 0x00.
//           A negative number: 0x01, then the bytes of its magnitude's encoding after the 0x03,
//           each complemented, so a larger magnitude sorts first.
//
// DO NOT CHANGE: this is the key layout of the items database (millrace(7)).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "store/decimal.h"

namespace millrace::store {

enum class KeyType { string, number, binary };

// DynamoDB's "S", "N" and "B".
std::string_view type_name(KeyType type);
// The type DynamoDB calls `name` ("S", "N", "B"), or nullopt.
std::optional<KeyType> key_type_named(std::string_view name);
// The longest encoding of a number: tag, exponent, 38 digits, terminator.
inline constexpr std::size_t kMaxNumberKeyBytes = 1 + 2 + kMaxNumberDigits + 1;

// Appends the encoding of a string key.
void append_string_key(std::string& out, std::string_view bytes);
// Appends a string's bytes as encoded, without the terminator: the prefix that every string
// key beginning with `bytes` starts with (begins_with).
void append_string_prefix(std::string& out, std::string_view bytes);

// Appends the encoding of the number written `text` (JSON's grammar); returns what is wrong
// with it instead (not a number, beyond DynamoDB's precision or range), appending nothing.
std::optional<std::string> append_number_key(std::string& out, std::string_view text);
// Appends the encoding of `number`. REQUIRES: number.limit() == NumberLimit::ok.
void append_number_key(std::string& out, const Decimal& number);

}  // namespace millrace::store
