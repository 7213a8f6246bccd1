#include "archive/compress.h"

#include <doctest/doctest.h>
#include <zstd.h>

#include <string>

#include "zstd_frame.h"

using namespace millrace::archive;
using Kind = FrameCompressor::Kind;
using millrace::test::decompress_sized_frame;

namespace {

// Distinct JSON lines, `count` of them, compressible as records are.
std::string lines(int count, int from = 0) {
  std::string text;
  for (int i = from; i < from + count; ++i)
    text += "{\"n\":" + std::to_string(i) + ",\"name\":\"unicorn " + std::to_string(i % 7) + "\",\"x\":" +
            std::to_string(i * 7919 % 10007) + "}\n";
  return text;
}

// A frame compressed in steps of `step` bytes, its header written over as end() says.
std::string compress_in_steps(FrameCompressor& compressor, const std::string& text, std::size_t step) {
  std::string frame;
  auto out = [&](std::string_view bytes) { frame.append(bytes); };
  std::size_t at = 0;
  for (; text.size() - at > step; at += step) compressor.add(std::string_view(text).substr(at, step), out);
  std::string_view header = compressor.end(std::string_view(text).substr(at), out);
  REQUIRE(header.size() <= frame.size());
  frame.replace(0, header.size(), header);
  return frame;
}

bool has_checksum(const std::string& frame) { return (static_cast<unsigned char>(frame[4]) & 0x04) != 0; }

}  // namespace

TEST_CASE("a frame compressed in steps states its content size and checksum, and holds the lines") {
  for (Kind kind : {Kind::single, Kind::parallel}) {
    CAPTURE(static_cast<int>(kind));
    FrameCompressor compressor(kind, 3);
    // 3 MiB: several jobs of a parallel compressor, many windows of a single one.
    std::string text = lines(90000);
    REQUIRE(text.size() > (3u << 20));
    std::string frame = compress_in_steps(compressor, text, 256 << 10);
    CHECK(ZSTD_getFrameContentSize(frame.data(), frame.size()) == text.size());
    CHECK(has_checksum(frame));
    CHECK(decompress_sized_frame(frame) == text);
    CHECK(ZSTD_findFrameCompressedSize(frame.data(), frame.size()) == frame.size());  // one frame
  }
}

TEST_CASE("a corrupt frame fails its checksum") {
  FrameCompressor compressor(Kind::single, 3);
  std::string text = lines(1000);
  std::string frame = compress_in_steps(compressor, text, 4096);
  // The last 4 bytes are the checksum: one of them changed, the content no longer matches it.
  frame[frame.size() - 2] ^= 1;
  std::string back(text.size(), '\0');
  CHECK(ZSTD_isError(ZSTD_decompress(back.data(), back.size(), frame.data(), frame.size())));
}

TEST_CASE("a frame given all its lines at end() is zstd's own, with its size") {
  FrameCompressor compressor(Kind::single, 3);
  std::string text = lines(100), frame;
  std::string_view header = compressor.end(text, [&](std::string_view bytes) { frame.append(bytes); });
  CHECK(header.empty());
  CHECK(ZSTD_getFrameContentSize(frame.data(), frame.size()) == text.size());
  CHECK(decompress_sized_frame(frame) == text);
}

TEST_CASE("one compressor makes frame after frame, each whole") {
  for (Kind kind : {Kind::single, Kind::parallel}) {
    CAPTURE(static_cast<int>(kind));
    FrameCompressor compressor(kind, 3);
    for (int object = 0; object < 3; ++object) {
      std::string text = lines(20000 + object, object * 100000);
      CHECK(decompress_sized_frame(compress_in_steps(compressor, text, 100000)) == text);
    }
  }
}

TEST_CASE("a frame left unfinished by an error is dropped by the next") {
  FrameCompressor compressor(Kind::single, 3);
  std::string ignored;
  compressor.add(lines(5000), [&](std::string_view bytes) { ignored.append(bytes); });
  CHECK_THROWS(compressor.add(lines(5000), [](std::string_view) { throw std::runtime_error("disk full"); }));
  compressor.end("", [&](std::string_view bytes) { ignored.append(bytes); });
  std::string text = lines(3000);
  CHECK(decompress_sized_frame(compress_in_steps(compressor, text, 50000)) == text);
}

TEST_CASE("a single compressor's memory is bounded by its small window, whatever the object's size") {
  // The bounds of fh-archive(1): 360 KiB at level 3, 650 KiB at level 19.
  for (auto level_bound : {std::pair{3, 360u << 10}, std::pair{19, 650u << 10}}) {
    int level = level_bound.first;  // not a structured binding: CAPTURE's lambda takes it
    unsigned bound = level_bound.second;
    CAPTURE(level);
    FrameCompressor compressor(Kind::single, level);
    std::string text = lines(level == 3 ? 80000 : 10000);
    compress_in_steps(compressor, text, 256 << 10);
    CHECK(compressor.memory() <= bound);
    CHECK(compressor.memory() > 100u << 10);  // it was measured at all
  }
}

TEST_CASE("a pool gives back the compressors it kept, of the kind asked for") {
  CompressorPool pool(3);
  std::unique_ptr<FrameCompressor> single = pool.take(Kind::single), parallel = pool.take(Kind::parallel);
  CHECK(single->kind() == Kind::single);
  CHECK(parallel->kind() == Kind::parallel);
  FrameCompressor* kept = single.get();
  pool.give_back(std::move(parallel));
  pool.give_back(std::move(single));
  std::unique_ptr<FrameCompressor> again = pool.take(Kind::single), another = pool.take(Kind::single);
  CHECK(again.get() == kept);
  CHECK(another.get() != kept);  // a new one: the pool had only one
}
