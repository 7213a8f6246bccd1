// SHA-256 and HMAC-SHA256 with OpenSSL's libcrypto, and their lower-case hex: what SigV4 is
// made of.
//
// Both are called for every request gw-serve verifies, so neither fetches an algorithm or
// allocates a digest context per call: SHA-256 is fetched once per process and each thread
// keeps its own context; an HmacKey absorbs its key's pads once, when it is made (RFC 2104), so
// a MAC costs two digest runs over the message and 32 bytes, and nothing for the key.
//
// Thread safety: the functions may be called from any thread; a const HmacKey may be shared.
// Failures of libcrypto (out of memory) throw std::runtime_error.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace millrace::aws {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view data);

// `digest` as 64 lower-case hex digits.
std::string to_hex(const Digest& digest);
// Writes the 64 digits to `out`.
void to_hex(const Digest& digest, char* out);

// HMAC-SHA256 under one key.
class HmacKey {
 public:
  explicit HmacKey(std::string_view key);
  explicit HmacKey(const Digest& key);
  ~HmacKey();
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;

  Digest mac(std::string_view message) const;

 private:
  struct Pads;
  std::unique_ptr<Pads> pads_;
};

}  // namespace millrace::aws
