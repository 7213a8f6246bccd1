// PutParser: turns input lines into records to put, checking every limit of the design.
//
// A line is validated whole as JSON (unless --raw lets non-JSON through), its partition key is
// found (a field, a fixed key, or random), hashed with MD5 (or taken from an explicit hash key),
// and its bytes are copied to a batch. In envelope format the line is an envelope printed by
// `ks-consume --format envelope`: its "pk" and "data" are the record's.
//
// One parser per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lines/envelope.h"
#include "lines/input.h"
#include "lines/json.h"
#include "lines/reader.h"
#include "store/hash_key.h"
#include "store/records.h"

namespace millrace::stream {

using lines::InputFormat;

struct PutOptions {
  InputFormat format = InputFormat::data;
  std::optional<lines::Field> key_field;               // -k FIELD
  std::optional<std::string> partition_key;            // --partition-key
  std::optional<store::HashKey> explicit_hash_key;     // --explicit-hash-key
  bool raw = false;                                    // --raw
};

// Records parsed from lines, with their bytes in one arena.
class Batch {
 public:
  std::size_t size() const { return items_.size(); }
  std::size_t bytes() const { return arena_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() {
    items_.clear();
    arena_.clear();
  }
  void add(store::HashKey hash, std::string_view partition_key, std::string_view data, bool json);
  // Views of the records, valid until the batch changes.
  void append_puts(std::vector<store::Put>& out) const;

 private:
  struct Item {
    store::HashKey hash;
    std::uint32_t key_offset, key_size, data_offset, data_size;
    bool json;
  };
  std::vector<Item> items_;
  std::string arena_;
};

// The longest line read: a record's 1 MiB of data, or an envelope carrying it (a record that is
// not JSON is a JSON string in an envelope, up to six times its size when every byte is escaped).
std::size_t max_line_length(InputFormat format);

class PutParser {
 public:
  explicit PutParser(PutOptions options);
  // The lines parse() is given next (lines::Validator::begin_block).
  void begin_block(std::string_view block) { validator_.begin_block(block); }
  // Adds the record of `line` to `batch`; returns what is wrong with the line instead.
  std::optional<std::string> parse(const lines::Line& line, Batch& batch);

 private:
  std::optional<std::string> parse_envelope(std::string_view text, Batch& batch);
  std::optional<std::string> add(std::string_view key, std::string_view data, bool json, Batch& batch);

  PutOptions options_;
  lines::Validator validator_;
  lines::EnvelopeReader envelopes_;
  store::Md5 md5_;
  std::mt19937_64 random_;
  std::string key_scratch_;
};

}  // namespace millrace::stream
