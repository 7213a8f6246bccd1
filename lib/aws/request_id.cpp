#include "aws/request_id.h"

#include <array>
#include <cstdint>
#include <random>

namespace millrace::aws {

std::string request_id() {
  // A request id must be unique, not secret: a generator per thread, seeded once from the
  // system's entropy, costs no system call per record.
  thread_local std::mt19937_64 random = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::array<unsigned char, 16> bytes;
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    std::uint64_t value = random();
    for (std::size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<unsigned char>(value >> (8 * j));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // RFC 9562: version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 9562: variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    uuid.push_back(kHex[bytes[i] >> 4]);
    uuid.push_back(kHex[bytes[i] & 0x0f]);
  }
  return uuid;
}

}  // namespace millrace::aws
