#include "archive/compress.h"

#include <stdexcept>
#include <string>

namespace millrace::archive {

Compressor::Compressor(Compression compression, int level) : compression_(compression) {
  if (compression_ == Compression::none) return;
  context_ = ZSTD_createCCtx();
  if (context_ == nullptr) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(context_, ZSTD_c_contentSizeFlag, 1);
}

Compressor::~Compressor() { ZSTD_freeCCtx(context_); }

std::string_view Compressor::compress(std::string_view lines) {
  if (compression_ == Compression::none) return lines;
  std::size_t bound = ZSTD_compressBound(lines.size());
  if (bound > capacity_) {
    out_ = std::make_unique_for_overwrite<char[]>(bound);
    capacity_ = bound;
  }
  std::size_t size = ZSTD_compress2(context_, out_.get(), capacity_, lines.data(), lines.size());
  if (ZSTD_isError(size)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(size));
  return {out_.get(), size};
}

}  // namespace millrace::archive
