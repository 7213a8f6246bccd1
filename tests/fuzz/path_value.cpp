// Path values (archive/path_value.h): partition key values from the data as path components.
//
// Input: one value, and its two halves as two more.
//
// Checks: an encoding is never empty, never begins with ".", holds only A-Z a-z 0-9 - _ . %
// and, once cut, ~ and lower-case hex; one not cut decodes (percent-decoding) back to the value;
// one cut keeps at most kKeptEncodedBytes bytes that decode to a prefix of the value, then "~"
// and the first 16 bytes of the value's SHA-256 (computed here by OpenSSL) in hex; two values
// have the same encoding only when they are the same.
#include <openssl/evp.h>

#include <string>

#include "archive/path_value.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;

namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is not what the encoder writes
}

// The bytes `encoded` stands for: %XX is the byte XX, the rest stands for itself.
std::string percent_decode(std::string_view encoded) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      require(unreserved(encoded[i]), "an encoding holds a byte outside A-Z a-z 0-9 - _ . %");
      out.push_back(encoded[i]);
      continue;
    }
    require(i + 2 < encoded.size(), "an encoding ends inside a %XX");
    int high = hex_value(encoded[i + 1]), low = hex_value(encoded[i + 2]);
    require(high >= 0 && low >= 0, "a % is not followed by two upper-case hex digits");
    char byte = static_cast<char>(high * 16 + low);
    require(!unreserved(byte) || (out.empty() && byte == '.'), "a byte is percent-encoded without need");
    out.push_back(byte);
    i += 2;
  }
  return out;
}

std::string sha256_prefix_hex(std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  require(EVP_Digest(value.data(), value.size(), digest, &size, EVP_sha256(), nullptr) == 1, "EVP_Digest");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < 16; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

std::string check(std::string_view value) {
  std::string encoded = archive::encode_path_value(value);
  require(!encoded.empty() && !encoded.starts_with('.'), "an encoding is empty or begins with .");
  if (value.empty()) {
    require(encoded == "%", "the empty value is not encoded as %");
    return encoded;
  }
  std::size_t tilde = encoded.find('~');
  if (tilde == std::string::npos) {
    require(encoded.size() <= archive::kMaxEncodedValue, "an encoding longer than the limit is not cut");
    require(percent_decode(encoded) == value, "an encoding does not decode to its value");
    return encoded;
  }
  require(tilde <= archive::kKeptEncodedBytes, "a cut encoding keeps too much");
  require(tilde + 3 > archive::kKeptEncodedBytes, "a cut encoding keeps too little");
  std::string kept = percent_decode(std::string_view(encoded).substr(0, tilde));
  require(value.starts_with(kept), "a cut encoding does not begin with the value's");
  require(encoded.substr(tilde + 1) == sha256_prefix_hex(value), "a cut encoding does not end with the value's digest");
  std::size_t uncut = 0;  // the size of the whole encoding, which must be over the limit
  for (std::size_t i = 0; i < value.size(); ++i) uncut += unreserved(value[i]) && !(i == 0 && value[i] == '.') ? 1 : 3;
  require(uncut > archive::kMaxEncodedValue, "an encoding within the limit is cut");
  return encoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value = fuzz::as_text(data, size);
  check(value);
  std::string_view a = value.substr(0, size / 2), b = value.substr(size / 2);
  require((check(a) == check(b)) == (a == b), "two values share an encoding, or one value has two");
  return 0;
}
