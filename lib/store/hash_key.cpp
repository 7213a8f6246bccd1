// OpenSSL's low-level MD5 and SHA-256, not EVP: the first EVP digest of a process initialises
// the library (reads openssl.cnf, loads the default provider, registers the names of every
// algorithm), some 5M instructions, 1-2 ms, more than a one-line ks-put spends on everything
// else. The low-level functions run the same assembly with no set-up and no allocation. OpenSSL
// 3 deprecates them but still provides them; this macro (openssl/macros.h) keeps them declared
// without the deprecation warning. It must come before the first OpenSSL header.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "store/hash_key.h"

#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>

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

HashKey Md5::operator()(std::string_view partition_key) const {
  unsigned char digest[MD5_DIGEST_LENGTH];
  MD5_CTX context;
  MD5_Init(&context);
  MD5_Update(&context, partition_key.data(), partition_key.size());
  MD5_Final(digest, &context);
  HashKey key = 0;
  for (unsigned char byte : digest) key = key << 8 | byte;
  return key;
}

std::array<unsigned char, 32> sha256(std::string_view text) {
  static_assert(SHA256_DIGEST_LENGTH == 32);
  std::array<unsigned char, 32> digest{};
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, text.data(), text.size());
  SHA256_Final(digest.data(), &context);
  return digest;
}

}  // namespace millrace::store
