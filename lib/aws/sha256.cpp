#include "aws/sha256.h"

// OpenSSL's low-level SHA-256 (deprecated in 3.0, kept in 3.x): the same assembly as EVP's,
// without the provider framework, which a static libcrypto brings whole into every program that
// calls EVP_MD_fetch: 16,000 relocations more at every start of ks-put (0.4 ms of CPU,
// tests/bench/startup.sh) once it signed requests. A context is a plain struct, copied to
// reuse an HMAC key's pads.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

namespace millrace::aws {
namespace {

constexpr std::size_t kBlockSize = 64;  // SHA-256's block, the size of HMAC's pads

void check(int status) {
  if (status != 1) throw std::runtime_error("SHA-256 failed");
}

Digest finish(SHA256_CTX& ctx) {
  Digest digest;
  check(SHA256_Final(digest.data(), &ctx));
  return digest;
}

}  // namespace

Digest sha256(std::string_view data) {
  SHA256_CTX ctx;
  check(SHA256_Init(&ctx));
  check(SHA256_Update(&ctx, data.data(), data.size()));
  return finish(ctx);
}

void to_hex(const Digest& digest, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::uint8_t byte : digest) {
    *out++ = kDigits[byte >> 4];
    *out++ = kDigits[byte & 0xf];
  }
}

std::string to_hex(const Digest& digest) {
  std::string hex(2 * digest.size(), '\0');
  to_hex(digest, hex.data());
  return hex;
}

// The digest states after absorbing (key ^ ipad) and (key ^ opad).
struct HmacKey::Pads {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

HmacKey::HmacKey(std::string_view key) : pads_(std::make_unique<Pads>()) {
  unsigned char block[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    Digest short_key = sha256(key);  // RFC 2104: a key longer than a block is hashed first
    std::copy(short_key.begin(), short_key.end(), block);
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char pad[kBlockSize];
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x36;
  check(SHA256_Init(&pads_->inner));
  check(SHA256_Update(&pads_->inner, pad, kBlockSize));
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  check(SHA256_Init(&pads_->outer));
  check(SHA256_Update(&pads_->outer, pad, kBlockSize));
  // The key (a secret, or a key derived from one) does not outlive this constructor.
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacKey::HmacKey(const Digest& key)
    : HmacKey(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) {}

HmacKey::~HmacKey() {
  // The pads are the key's as good as the key: they go as the key does.
  if (pads_) OPENSSL_cleanse(pads_.get(), sizeof(Pads));
}

Digest HmacKey::mac(std::string_view message) const {
  SHA256_CTX ctx = pads_->inner;
  check(SHA256_Update(&ctx, message.data(), message.size()));
  Digest inner = finish(ctx);
  ctx = pads_->outer;
  check(SHA256_Update(&ctx, inner.data(), inner.size()));
  Digest outer = finish(ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return outer;
}

}  // namespace millrace::aws
