// Hash keys: the 128-bit space [0, 2^128-1] that a stream's shards divide, as Kinesis.
//
// A record goes to the shard whose range holds MD5(partition key) read as a big-endian 128-bit
// integer, so the same key and shard count pick the same shard as real Kinesis.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::store {

__extension__ typedef unsigned __int128 HashKey;

inline constexpr HashKey kMaxHashKey = ~HashKey{0};

struct HashRange {
  HashKey start;
  HashKey end;  // inclusive
  bool contains(HashKey key) const { return start <= key && key <= end; }
};

// `count` adjacent ranges covering `range` as evenly as Kinesis splits a new stream: range i
// starts at start + floor(i * width / count). REQUIRES: 1 <= count.
std::vector<HashRange> split_evenly(HashRange range, std::uint32_t count);

// A decimal hash key ("340282366920938463463374607431768211455"); nullopt if not one.
std::optional<HashKey> parse_hash_key(std::string_view decimal);
std::string format_hash_key(HashKey key);

// SHA-256 of `text`: names derived from data (archive paths and log keys), where MD5 is not
// wanted.
std::array<unsigned char, 32> sha256(std::string_view text);

// MD5 of partition keys. It holds no state: threads may share one.
class Md5 {
 public:
  HashKey operator()(std::string_view partition_key) const;
};

}  // namespace millrace::store
