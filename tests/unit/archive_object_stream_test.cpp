#include "archive/object_stream.h"

#include <doctest/doctest.h>
#include <zstd.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "temp_dir.h"

using namespace millrace::archive;
namespace fs = std::filesystem;
using Kind = FrameCompressor::Kind;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The content of a zstd object: it states its size, and one call decompresses it.
std::string decompress(const std::string& frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  REQUIRE(size != ZSTD_CONTENTSIZE_ERROR);
  REQUIRE(size != ZSTD_CONTENTSIZE_UNKNOWN);
  std::string text(size, '\0');
  std::size_t got = ZSTD_decompress(text.data(), text.size(), frame.data(), frame.size());
  REQUIRE_MESSAGE(!ZSTD_isError(got), ZSTD_getErrorName(got));
  return text;
}

std::string line(int object, int n) {
  return "{\"object\":" + std::to_string(object) + ",\"n\":" + std::to_string(n) + ",\"pad\":\"" +
         std::string(n % 50, 'a' + object % 26) + "\"}\n";
}

void publish(Bucket& bucket, const std::string& key, ObjectStream& stream) {
  Bucket::Draft draft = stream.take_draft();
  Bucket::Publication publication{key, &draft};
  bucket.publish(std::span(&publication, 1), false);
}

}  // namespace

TEST_CASE("objects filled in turns, over many steps, hold their lines in order") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  CompressorPool compressors(3);
  Workers workers(2);
  struct Case {
    Kind kind;
    Workers* workers;
  };
  // Single compressors on the workers and on this thread, a parallel one, and no compression.
  for (bool compressed : {true, false}) {
    for (Case c : {Case{Kind::single, &workers}, Case{Kind::single, nullptr}, Case{Kind::parallel, nullptr}}) {
      CAPTURE(compressed);
      CAPTURE(static_cast<int>(c.kind));
      CAPTURE(c.workers != nullptr);
      std::vector<ObjectStream> streams;
      std::vector<std::string> expected(5);
      for (int i = 0; i < 5; ++i) streams.emplace_back(bucket, compressed ? &compressors : nullptr, c.kind, c.workers);
      // Objects of 0.1 to 2 MiB: within the first step, and across many.
      for (int n = 0; n < 30000; ++n) {
        for (int i = 0; i < 5; ++i) {
          if (n >= 1000 * (1 + 5 * i)) continue;
          std::string text = line(i, n);
          expected[i] += text;
          streams[i].add(text);
        }
      }
      for (int i = 0; i < 5; ++i) {
        CHECK(streams[i].lines() == expected[i].size());
        streams[i].end();
      }
      for (int i = 0; i < 5; ++i) {
        CAPTURE(i);
        publish(bucket, "o" + std::to_string(i), streams[i]);
        std::string object = slurp(dir / "bucket" / ("o" + std::to_string(i)));
        CHECK((compressed ? decompress(object) : object) == expected[i]);
      }
    }
  }
}

TEST_CASE("a line longer than a step is an object's content all the same") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  CompressorPool compressors(3);
  Workers workers(2);
  ObjectStream stream(bucket, &compressors, Kind::single, &workers);
  std::string expected = "{\"a\":1}\n{\"long\":\"" + std::string(1 << 20, 'x') + "\"}\n{\"b\":2}\n";
  stream.add("{\"a\":1}\n");
  stream.add(std::string_view(expected).substr(8, expected.size() - 16));
  stream.add("{\"b\":2}\n");
  stream.end();
  publish(bucket, "o", stream);
  CHECK(decompress(slurp(dir / "bucket/o")) == expected);
}

TEST_CASE("a failed write on a worker reaches the stream's next call") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  CompressorPool compressors(3);
  Workers workers(1);
  ObjectStream stream(bucket, &compressors, Kind::single, &workers);
  // Files may not grow past 64 KiB for a while: writes past that fail with EFBIG (SIGXFSZ
  // ignored), as on a full disk.
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 64 << 10;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string error;
  try {
    for (int n = 0; n < 200000; ++n) stream.add(line(n % 26, n * 7919 % 100003));
    stream.end();
    stream.take_draft();
  } catch (const std::system_error& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);
  CHECK(error.find("write") != std::string::npos);
}
