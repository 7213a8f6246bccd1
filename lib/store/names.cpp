#include "store/names.h"

#include <fmt/format.h>

namespace millrace::store {

std::optional<std::string> check_name(std::string_view name) {
  if (name.empty()) return "name is empty";
  if (name.size() > 128) return fmt::format("name is {} characters long; at most 128", name.size());
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return fmt::format("name '{}' has a character other than A-Z a-z 0-9 _ . -", name);
  }
  return std::nullopt;
}

std::optional<std::string> check_partition_key(std::string_view key) {
  if (key.empty()) return "partition key is empty";
  // Count characters: every byte that does not continue a UTF-8 sequence starts one. The key
  // comes from validated JSON or the command line; either way only its length matters here.
  std::size_t chars = 0;
  for (char c : key) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > kMaxPartitionKeyChars)
    return fmt::format("partition key has {} characters; at most {}", chars, kMaxPartitionKeyChars);
  return std::nullopt;
}

}  // namespace millrace::store
