#include "archive/publisher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/error.h"
#include "temp_dir.h"
#include "zstd_frame.h"

using namespace millrace::archive;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// An object of `bytes` as they are, ended.
ObjectStream object_of(Bucket& bucket, const std::string& bytes) {
  ObjectStream object(bucket, nullptr, FrameCompressor::Kind::single, nullptr);
  object.add(bytes);
  object.end();
  return object;
}

}  // namespace

TEST_CASE("objects handed over are published, and reported, each once") {
  for (bool sync : {false, true}) {
    CAPTURE(sync);
    millrace::test::TempDir dir;
    Bucket bucket(dir / "bucket", Bucket::Open::create);
    Publisher publisher(bucket, sync);
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 100; ++i) {  // more than wait at once, more than a batch
      std::string bytes(i + 1, 'x');
      ids.push_back(publisher.publish("p" + std::to_string(i % 3) + "/o" + std::to_string(i), object_of(bucket, bytes)));
    }
    publisher.drain();
    std::vector<Publisher::Published> published = publisher.published();
    REQUIRE(published.size() == ids.size());
    std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (int i = 0; i < 100; ++i) {
      CAPTURE(i);
      CHECK(published[i].id == ids[i]);
      CHECK(published[i].lines == i + 1u);
      CHECK(published[i].bytes == i + 1u);
      CHECK(slurp(dir / "bucket" / ("p" + std::to_string(i % 3)) / ("o" + std::to_string(i))) ==
            std::string(i + 1, 'x'));
    }
    CHECK(publisher.published().empty());
  }
}

TEST_CASE("objects still compressing are published once complete") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  CompressorPool compressors(3);
  Workers workers(2);
  Publisher publisher(bucket, false);
  std::string lines;
  for (int n = 0; n < 100000; ++n) lines += "{\"n\":" + std::to_string(n) + "}\n";
  for (auto kind : {FrameCompressor::Kind::single, FrameCompressor::Kind::parallel}) {
    ObjectStream object(bucket, &compressors, kind, &workers);
    object.add(lines);
    object.end();
    publisher.publish(kind == FrameCompressor::Kind::single ? "single" : "parallel", std::move(object));
  }
  publisher.drain();
  std::vector<Publisher::Published> published = publisher.published();
  REQUIRE(published.size() == 2);
  for (const Publisher::Published& object : published) {
    CHECK(object.lines == lines.size());
    CHECK(object.bytes < lines.size() / 4);
  }
  for (const char* key : {"single", "parallel"})
    CHECK(millrace::test::decompress_sized_frame(slurp(dir / "bucket" / key)) == lines);
}

TEST_CASE("an object that cannot be published stops the publisher: the next calls throw") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  std::ofstream(dir / "bucket/file") << "in the way";
  Publisher publisher(bucket, false);
  publisher.publish("file/x.jsonl.zst", object_of(bucket, "{}\n"));
  CHECK_THROWS_AS(publisher.drain(), millrace::cli::Error);
  CHECK_THROWS_AS(publisher.published(), millrace::cli::Error);
  CHECK_THROWS_AS(publisher.publish("y.jsonl.zst", object_of(bucket, "{}\n")), millrace::cli::Error);
}
