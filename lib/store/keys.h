// Keys of the store's databases. DO NOT CHANGE: they are the on-disk layout (millrace(7)).
// All integers are big-endian, so a cursor walks a stream's shards, and a shard's records, in
// order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/codec.h"

namespace millrace::store::keys {

// meta: "next_stream_id" → u32.
inline constexpr std::string_view kNextStreamId = "next_stream_id";

// meta: "tags", stream id → the stream's tags (store/tags.h).
inline std::string stream_tags(std::uint32_t stream_id) {
  std::string key = "tags";
  Encoder(key).u32(stream_id);
  return key;
}

// meta: "table_tags", table id → the table's tags (store/tags.h).
inline std::string table_tags(std::uint32_t table_id) {
  std::string key = "table_tags";
  Encoder(key).u32(table_id);
  return key;
}

// shards: stream id, shard index; the same 8 bytes begin every record key of the shard.
inline std::string shard(std::uint32_t stream_id, std::uint32_t index) {
  std::string key;
  Encoder(key).u32(stream_id).u32(index);
  return key;
}

// records: stream id, shard index, counter: 16 bytes.
inline constexpr std::size_t kRecordKeySize = 16;
inline void record(char* out, std::uint32_t stream_id, std::uint32_t shard, std::uint64_t counter) {
  auto put = [&out](std::uint64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>(v & 0xFF);
      v >>= 8;
    }
    out += width;
  };
  put(stream_id, 4);
  put(shard, 4);
  put(counter, 8);
}
inline std::string record(std::uint32_t stream_id, std::uint32_t shard, std::uint64_t counter) {
  std::string key(kRecordKeySize, '\0');
  record(key.data(), stream_id, shard, counter);
  return key;
}
// The counter of a record key.
inline std::uint64_t record_counter(std::string_view key) {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i < kRecordKeySize; ++i) v = v << 8 | static_cast<unsigned char>(key[i]);
  return v;
}

// groups: stream id, group name (with its length), shard index.
inline std::string group_prefix(std::uint32_t stream_id, std::string_view group) {
  std::string key;
  Encoder(key).u32(stream_id).u8(static_cast<std::uint8_t>(group.size())).bytes(group);
  return key;
}
inline std::string group(std::uint32_t stream_id, std::string_view group, std::uint32_t shard) {
  std::string key = group_prefix(stream_id, group);
  Encoder(key).u32(shard);
  return key;
}

// The 4-byte prefix of every key of a stream in shards, records and groups.
inline std::string stream_prefix(std::uint32_t stream_id) {
  std::string key;
  Encoder(key).u32(stream_id);
  return key;
}

}  // namespace millrace::store::keys
