// Value: one JSON value of a record as ks-window keeps it once the record's parse is over, and
// Arena, the bytes its strings live in.
//
// A record is parsed on one thread and aggregated on another, after its parser has moved on to
// other lines: a Value holds what the aggregates need of it (a number as
// simdjson typed it, a string unescaped, an object or array as minified JSON), and no reference
// into the DOM. Its text, when it has one, lives in an Arena.
//
// Values and Arenas are not thread-safe; a filled Arena may be read from any thread once handed
// over (the hand-over orders the memory).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace millrace::window {

// Bytes copied out of parsed records, valid until clear(). Blocks are never moved or resized,
// so a copy stays where it was put while more are added.
class Arena {
 public:
  // A copy of `bytes` in the arena.
  std::string_view copy(std::string_view bytes);
  // Room for `size` bytes, for the caller to fill.
  char* allocate(std::size_t size);
  // Forgets every copy (their views dangle), keeping the first block for reuse.
  void clear();

 private:
  // Large enough that a block holds many records' strings, small enough to waste little.
  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t capacity_ = 0, used_ = 0;  // of the last block
  std::size_t first_capacity_ = 0;
};

class Value {
 public:
  enum class Kind : std::uint8_t { missing, null, boolean, int64, uint64, real, string, json };

  Value() = default;  // missing: the record has no such field
  // The value of `element`: strings copied unescaped into `arena`, objects and arrays minified
  // into it.
  static Value of(simdjson::dom::element element, Arena& arena);

  Kind kind() const { return kind_; }
  // Neither missing nor null: the values that aggregates other than count(*) take.
  bool present() const { return kind_ > Kind::null; }
  bool is_number() const { return kind_ == Kind::int64 || kind_ == Kind::uint64 || kind_ == Kind::real; }
  bool boolean() const { return boolean_; }
  std::int64_t int64() const { return int64_; }
  std::uint64_t uint64() const { return uint64_; }
  double real() const { return real_; }
  // A string's unescaped bytes, or an object's or array's JSON.
  std::string_view text() const { return {text_, size_}; }

 private:
  union {
    bool boolean_;
    std::int64_t int64_ = 0;
    std::uint64_t uint64_;
    double real_;
    const char* text_;
  };
  std::uint32_t size_ = 0;  // of text_: a line, and so a value, is far below 4 GiB
  Kind kind_ = Kind::missing;
};

}  // namespace millrace::window
