#include "archive/writer.h"

#include <doctest/doctest.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/error.h"
#include "temp_dir.h"

using namespace millrace::archive;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string decompress(const std::string& frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  REQUIRE(size != ZSTD_CONTENTSIZE_ERROR);
  REQUIRE(size != ZSTD_CONTENTSIZE_UNKNOWN);
  std::string lines(size, '\0');
  REQUIRE(ZSTD_decompress(lines.data(), lines.size(), frame.data(), frame.size()) == size);
  return lines;
}

}  // namespace

TEST_CASE("objects handed over are compressed, written, and reported, each once") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  ObjectWriter writer(bucket, Compression::zstd, 3, false);
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    std::string lines = writer.lines_buffer(1 << 20);
    CHECK(lines.empty());
    for (int n = 0; n <= i; ++n) lines += "{\"i\":" + std::to_string(i) + ",\"n\":" + std::to_string(n) + "}\n";
    ids.push_back(writer.write("p" + std::to_string(i % 3) + "/o" + std::to_string(i) + ".jsonl.zst", lines));
  }
  writer.drain();
  std::vector<ObjectWriter::Written> written = writer.written();
  REQUIRE(written.size() == ids.size());
  std::sort(written.begin(), written.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (int i = 0; i < 50; ++i) {
    CAPTURE(i);
    CHECK(written[i].id == ids[i]);
    std::string frame = slurp(dir / "bucket" / ("p" + std::to_string(i % 3)) / ("o" + std::to_string(i) + ".jsonl.zst"));
    CHECK(written[i].bytes == frame.size());
    std::string lines = decompress(frame);
    CHECK(written[i].lines == lines.size());
    CHECK(std::count(lines.begin(), lines.end(), '\n') == i + 1);
  }
  CHECK(writer.written().empty());
}

TEST_CASE("without compression, objects hold the lines as they are") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  ObjectWriter writer(bucket, Compression::none, 3, true);
  writer.write("a/x.jsonl", "{\"a\":1}\n");
  writer.drain();
  CHECK(slurp(dir / "bucket/a/x.jsonl") == "{\"a\":1}\n");
  CHECK(writer.written().size() == 1);
}

TEST_CASE("an object that cannot be written stops the writer: the next calls throw") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  std::ofstream(dir / "bucket/file") << "in the way";
  ObjectWriter writer(bucket, Compression::zstd, 3, false);
  writer.write("file/x.jsonl.zst", "{}\n");
  CHECK_THROWS_AS(writer.drain(), millrace::cli::Error);
  CHECK_THROWS_AS(writer.written(), millrace::cli::Error);
  CHECK_THROWS_AS(writer.write("y.jsonl.zst", "{}\n"), millrace::cli::Error);
}
