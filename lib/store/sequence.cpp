#include "store/sequence.h"

#include <charconv>

namespace millrace::store {

void append_sequence(std::string& out, Position position) {
  char buffer[32];
  char* end = std::to_chars(buffer, buffer + 12, std::uint64_t{position.shard} + 1).ptr;
  std::uint64_t counter = position.counter;
  for (int i = kCounterDigits - 1; i >= 0; --i) {
    end[i] = static_cast<char>('0' + counter % 10);
    counter /= 10;
  }
  out.append(buffer, end + kCounterDigits);
}

std::string format_sequence(Position position) {
  std::string out;
  append_sequence(out, position);
  return out;
}

std::optional<Position> parse_sequence(std::string_view text) {
  if (text.size() <= kCounterDigits || text.size() > kCounterDigits + 10) return std::nullopt;
  std::string_view shard_part = text.substr(0, text.size() - kCounterDigits);
  std::string_view counter_part = text.substr(text.size() - kCounterDigits);
  std::uint64_t shard_plus_one = 0, counter = 0;
  auto a = std::from_chars(shard_part.data(), shard_part.data() + shard_part.size(), shard_plus_one);
  auto b = std::from_chars(counter_part.data(), counter_part.data() + counter_part.size(), counter);
  if (a.ec != std::errc() || a.ptr != shard_part.data() + shard_part.size() || b.ec != std::errc() ||
      b.ptr != counter_part.data() + counter_part.size() || shard_part[0] == '0' || shard_plus_one > UINT32_MAX)
    return std::nullopt;
  return Position{static_cast<std::uint32_t>(shard_plus_one - 1), counter};
}

void append_shard_id(std::string& out, std::uint32_t index) {
  char id[] = "shardId-000000000000";  // a 32-bit index has at most 10 digits of the 12
  for (std::size_t i = sizeof id - 2; index > 0; --i, index /= 10) id[i] = static_cast<char>('0' + index % 10);
  out.append(id, sizeof id - 1);
}

std::string shard_id(std::uint32_t index) {
  std::string out;
  append_shard_id(out, index);
  return out;
}

std::optional<std::uint32_t> parse_shard_id(std::string_view text) {
  constexpr std::string_view prefix = "shardId-";
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  std::uint32_t index = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return index;
}

}  // namespace millrace::store
