#include "aws/sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace millrace::aws {
namespace {

constexpr std::size_t kBlockSize = 64;  // SHA-256's block, the size of HMAC's pads

// Fetched once: an implicit fetch per digest (EVP_sha256()) costs more than the digest of a
// short canonical request.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (algorithm == nullptr) throw std::runtime_error("OpenSSL offers no SHA-256");
  return algorithm;
}

// This thread's digest context, reused by every call.
EVP_MD_CTX* thread_context() {
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  if (context.ctx == nullptr) throw std::runtime_error("out of memory for a SHA-256 context");
  return context.ctx;
}

void check(int status) {
  if (status != 1) throw std::runtime_error("SHA-256 failed");
}

Digest finish(EVP_MD_CTX* ctx) {
  Digest digest;
  unsigned int size = 0;
  check(EVP_DigestFinal_ex(ctx, digest.data(), &size));
  return digest;
}

}  // namespace

Digest sha256(std::string_view data) {
  EVP_MD_CTX* ctx = thread_context();
  check(EVP_DigestInit_ex2(ctx, sha256_algorithm(), nullptr));
  check(EVP_DigestUpdate(ctx, data.data(), data.size()));
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
  EVP_MD_CTX* inner = EVP_MD_CTX_new();
  EVP_MD_CTX* outer = EVP_MD_CTX_new();
  ~Pads() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

HmacKey::HmacKey(std::string_view key) : pads_(std::make_unique<Pads>()) {
  if (pads_->inner == nullptr || pads_->outer == nullptr)
    throw std::runtime_error("out of memory for an HMAC key");
  unsigned char block[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    Digest short_key = sha256(key);  // RFC 2104: a key longer than a block is hashed first
    std::copy(short_key.begin(), short_key.end(), block);
  } else {
    std::copy(key.begin(), key.end(), block);
  }
  unsigned char pad[kBlockSize];
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x36;
  check(EVP_DigestInit_ex2(pads_->inner, sha256_algorithm(), nullptr));
  check(EVP_DigestUpdate(pads_->inner, pad, kBlockSize));
  for (std::size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  check(EVP_DigestInit_ex2(pads_->outer, sha256_algorithm(), nullptr));
  check(EVP_DigestUpdate(pads_->outer, pad, kBlockSize));
  // The key (a secret, or a key derived from one) does not outlive this constructor.
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacKey::HmacKey(const Digest& key)
    : HmacKey(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) {}

HmacKey::~HmacKey() = default;

Digest HmacKey::mac(std::string_view message) const {
  EVP_MD_CTX* ctx = thread_context();
  check(EVP_MD_CTX_copy_ex(ctx, pads_->inner));
  check(EVP_DigestUpdate(ctx, message.data(), message.size()));
  Digest inner = finish(ctx);
  check(EVP_MD_CTX_copy_ex(ctx, pads_->outer));
  check(EVP_DigestUpdate(ctx, inner.data(), inner.size()));
  return finish(ctx);
}

}  // namespace millrace::aws
