#include "store/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace millrace::store {

std::vector<HashRange> split_evenly(HashRange range, std::uint32_t count) {
  // width = end - start + 1 may be 2^128, which does not fit: write it as count*q + r + 1.
  HashKey span = range.end - range.start;  // width - 1
  HashKey q = span / count, r = span % count;
  auto offset = [&](std::uint32_t i) -> HashKey {  // floor(i * width / count), without overflow
    return q * i + (r * i + i) / count;
  };
  std::vector<HashRange> ranges(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    ranges[i].start = range.start + offset(i);
    ranges[i].end = i + 1 < count ? range.start + offset(i + 1) - 1 : range.end;
  }
  return ranges;
}

std::optional<HashKey> parse_hash_key(std::string_view decimal) {
  if (decimal.empty() || decimal.size() > 39) return std::nullopt;
  HashKey value = 0;
  for (char c : decimal) {
    if (c < '0' || c > '9') return std::nullopt;
    unsigned digit = static_cast<unsigned>(c - '0');
    if (value > (kMaxHashKey - digit) / 10) return std::nullopt;  // past 2^128-1
    value = value * 10 + digit;
  }
  return value;
}

std::string format_hash_key(HashKey key) {
  std::string text;
  do {
    text.push_back(static_cast<char>('0' + static_cast<int>(key % 10)));
    key /= 10;
  } while (key != 0);
  std::reverse(text.begin(), text.end());
  return text;
}

struct Md5::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // Fetched once: an implicit fetch per digest costs more than the digest of a short key.
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  ~Context() {
    EVP_MD_free(md5);
    EVP_MD_CTX_free(ctx);
  }
};

Md5::Md5() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr || context_->md5 == nullptr) throw std::runtime_error("OpenSSL offers no MD5");
}

Md5::~Md5() = default;

HashKey Md5::operator()(std::string_view partition_key) {
  unsigned char digest[16];
  unsigned int size = 0;
  if (EVP_DigestInit_ex2(context_->ctx, context_->md5, nullptr) != 1 ||
      EVP_DigestUpdate(context_->ctx, partition_key.data(), partition_key.size()) != 1 ||
      EVP_DigestFinal_ex(context_->ctx, digest, &size) != 1)
    throw std::runtime_error("MD5 failed");
  HashKey key = 0;
  for (unsigned char byte : digest) key = key << 8 | byte;
  return key;
}

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 || size != digest.size())
    throw std::runtime_error("SHA-256 failed");
  return digest;
}

}  // namespace millrace::store
