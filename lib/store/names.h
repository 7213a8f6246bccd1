// Names and limits of the design, checked in one place.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::store {

// Kinesis' limits: data per record, partition key length in characters.
inline constexpr std::size_t kMaxRecordBytes = 1 << 20;
inline constexpr std::size_t kMaxPartitionKeyChars = 256;
// Shards of one stream at once (Kinesis' default quota is 500 per stream).
inline constexpr std::uint32_t kMaxShards = 1024;

// Stream, group and table names: [A-Za-z0-9_.-]{1,128}. Returns what is wrong, or nullopt.
std::optional<std::string> check_name(std::string_view name);

// A partition key: 1 to 256 Unicode characters (of valid UTF-8). Returns what is wrong, or nullopt.
std::optional<std::string> check_partition_key(std::string_view key);

}  // namespace millrace::store
