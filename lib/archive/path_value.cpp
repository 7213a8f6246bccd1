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
  for (std::size_t i = 0; i < value.size();) {
    // A run of bytes kept as they are, appended at once (the value of a record's partition key,
    // on the reading thread, for every record).
    std::size_t end = i;
    while (end < value.size() && unreserved(static_cast<unsigned char>(value[end])) && !(end == 0 && value[0] == '.'))
      ++end;
    if (end > i) {
      out.append(value.substr(i, end - i));
      i = end;
    } else {
      auto c = static_cast<unsigned char>(value[i++]);
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
