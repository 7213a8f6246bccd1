#include "archive/path_value.h"

#include "store/hash_key.h"

namespace millrace::archive {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kLowerHex[] = "0123456789abcdef";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

void append_digest(std::string& out, std::string_view value) {
  auto digest = store::sha256(value);
  for (std::size_t i = 0; i < 16; ++i) {
    out.push_back(kLowerHex[digest[i] >> 4]);
    out.push_back(kLowerHex[digest[i] & 0xF]);
  }
}

}  // namespace

void append_path_value(std::string& out, std::string_view value) {
  if (value.empty()) {
    out.push_back('%');
    return;
  }
  std::size_t start = out.size();
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (unreserved(c) && !(i == 0 && c == '.')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
    if (out.size() - start > kMaxEncodedValue) {
      // Too long: cut at the last whole character of the encoding within the kept bytes.
      std::size_t cut = start + kKeptEncodedBytes;
      if (out[cut - 1] == '%') cut -= 1;
      else if (out[cut - 2] == '%') cut -= 2;
      out.resize(cut);
      out.push_back('~');
      append_digest(out, value);
      return;
    }
  }
}

std::string encode_path_value(std::string_view value) {
  std::string out;
  append_path_value(out, value);
  return out;
}

}  // namespace millrace::archive
