// Compressor: an object's bytes from its lines, as a standard zstd frame (zstdcat, DuckDB's
// read_json and Athena read it as it is) or as they are.
//
// The frame records its content size and an XXH64 checksum, as the zstd command does by
// default. One compression context is reused for every object. Not thread-safe.
#pragma once

#include <zstd.h>

#include <cstddef>
#include <memory>
#include <string_view>

#include "archive/object_name.h"

namespace millrace::archive {

class Compressor {
 public:
  // REQUIRES: `level` within ZSTD_minCLevel()..ZSTD_maxCLevel() for zstd.
  Compressor(Compression compression, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // The object's bytes for `lines`; valid until the next call. Throws std::runtime_error when
  // zstd fails (it does not, for memory it could allocate).
  std::string_view compress(std::string_view lines);

 private:
  Compression compression_;
  ZSTD_CCtx* context_ = nullptr;
  std::unique_ptr<char[]> out_;
  std::size_t capacity_ = 0;
};

}  // namespace millrace::archive
