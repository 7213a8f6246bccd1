// Sequence numbers: how a record's place in its shard is written for users.
//
// Inside the store a record is (shard index, counter), the counter dense and starting at 1 in
// each shard, so a shard's record count and a group's lag are differences of counters. Users see
// one decimal string, as Kinesis' sequence numbers: the shard index + 1, then the counter in 16
// digits. It increases strictly within a shard, is unique within the stream, and names its
// shard, so `--from at:SEQ` needs no shard id. Shard 0's first record is 10000000000000001.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::store {

struct Position {
  std::uint32_t shard;
  std::uint64_t counter;
  friend bool operator==(const Position&, const Position&) = default;
};

// DO NOT CHANGE: sequence numbers are kept by users and in checkpoints outside the store.
inline constexpr int kCounterDigits = 16;

std::string format_sequence(Position position);
// Appends the sequence number to `out` without allocating.
void append_sequence(std::string& out, Position position);
std::optional<Position> parse_sequence(std::string_view text);

// "shardId-000000000012" for index 12, as Kinesis.
std::string shard_id(std::uint32_t index);
// The same, appended to `out` without allocating.
void append_shard_id(std::string& out, std::uint32_t index);
std::optional<std::uint32_t> parse_shard_id(std::string_view text);

}  // namespace millrace::store
