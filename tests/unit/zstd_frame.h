// The content of a zstd frame that states its size, decompressed in one call: which needs the
// size, checks it, and checks the frame's checksum.
#pragma once

#include <doctest/doctest.h>
#include <zstd.h>

#include <string>

namespace millrace::test {

inline std::string decompress_sized_frame(const std::string& frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  REQUIRE(size != ZSTD_CONTENTSIZE_ERROR);
  REQUIRE(size != ZSTD_CONTENTSIZE_UNKNOWN);
  std::string text(size, '\0');
  std::size_t got = ZSTD_decompress(text.data(), text.size(), frame.data(), frame.size());
  REQUIRE_MESSAGE(!ZSTD_isError(got), ZSTD_getErrorName(got));
  CHECK(got == size);
  return text;
}

}  // namespace millrace::test
