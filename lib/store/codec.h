// Big-endian encoding of keys and values, so that bytes sort as numbers (as redis' streamEncodeID).
//
// Every on-disk layout in lib/store is written with Encoder and read with Decoder; a value that
// does not decode is a corrupt store (exit 69), never undefined behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/hash_key.h"

namespace millrace::store {

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  Encoder& u8(std::uint8_t v) { return put(v, 1); }
  Encoder& u16(std::uint16_t v) { return put(v, 2); }
  Encoder& u32(std::uint32_t v) { return put(v, 4); }
  Encoder& u64(std::uint64_t v) { return put(v, 8); }
  Encoder& i64(std::int64_t v) { return put(static_cast<std::uint64_t>(v), 8); }
  Encoder& u128(HashKey v) {
    put(static_cast<std::uint64_t>(v >> 64), 8);
    return put(static_cast<std::uint64_t>(v), 8);
  }
  // A string of at most 65535 bytes, with its length first.
  Encoder& str(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    return bytes(s);
  }
  Encoder& bytes(std::string_view s) {
    out_.append(s);
    return *this;
  }

 private:
  Encoder& put(std::uint64_t v, int width) {
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
    return *this;
  }
  std::string& out_;
};

class Decoder {
 public:
  // `what` names the record for the error message of a corrupt store.
  Decoder(std::string_view in, const char* what) : in_(in), what_(what) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(get(8)); }
  HashKey u128() {
    HashKey high = get(8);
    return high << 64 | get(8);
  }
  std::string_view str() { return bytes(u16()); }
  std::string_view bytes(std::size_t n);
  std::string_view rest() { return bytes(in_.size() - pos_); }

 private:
  std::uint64_t get(int width);
  std::string_view in_;
  std::size_t pos_ = 0;
  const char* what_;
};

}  // namespace millrace::store
