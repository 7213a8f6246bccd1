#include "archive/object_stream.h"

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "temp_dir.h"
#include "zstd_frame.h"

using namespace millrace::archive;
namespace fs = std::filesystem;
using Kind = FrameCompressor::Kind;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string line(int object, int n) {
  return "{\"object\":" + std::to_string(object) + ",\"n\":" + std::to_string(n) + ",\"pad\":\"" +
         std::string(n % 50, 'a' + object % 26) + "\"}\n";
}

// A bucket, compressors and workers for streams.
struct Setup {
  millrace::test::TempDir dir;
  Bucket bucket{dir / "bucket", Bucket::Open::create};
  CompressorPool compressors{3};
  Workers workers{2};
};

void publish(Bucket& bucket, const std::string& key, ObjectStream& stream) {
  Bucket::Draft draft = stream.take_draft();
  Bucket::Publication publication{key, &draft};
  bucket.publish(std::span(&publication, 1), false);
}

}  // namespace

TEST_CASE("objects filled in turns, over many steps, hold their lines in order") {
  Setup s;
  struct Case {
    Kind kind;
    Workers* workers;
  };
  // Single compressors on the workers and on this thread, a parallel one, and no compression.
  for (bool compressed : {true, false}) {
    for (Case c : {Case{Kind::single, &s.workers}, Case{Kind::single, nullptr}, Case{Kind::parallel, nullptr}}) {
      CAPTURE(compressed);
      CAPTURE(static_cast<int>(c.kind));
      CAPTURE(c.workers != nullptr);
      std::vector<ObjectStream> streams;
      std::vector<std::string> expected(5);
      for (int i = 0; i < 5; ++i) streams.emplace_back(s.bucket, compressed ? &s.compressors : nullptr, c.kind, c.workers);
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
        publish(s.bucket, "o" + std::to_string(i), streams[i]);
        std::string object = slurp(s.dir / "bucket" / ("o" + std::to_string(i)));
        CHECK((compressed ? millrace::test::decompress_sized_frame(object) : object) == expected[i]);
      }
    }
  }
}

TEST_CASE("a line longer than a step is an object's content all the same") {
  Setup s;
  ObjectStream stream(s.bucket, &s.compressors, Kind::single, &s.workers);
  std::string expected = "{\"a\":1}\n{\"long\":\"" + std::string(1 << 20, 'x') + "\"}\n{\"b\":2}\n";
  stream.add("{\"a\":1}\n");
  stream.add(std::string_view(expected).substr(8, expected.size() - 16));
  stream.add("{\"b\":2}\n");
  stream.end();
  publish(s.bucket, "o", stream);
  CHECK(millrace::test::decompress_sized_frame(slurp(s.dir / "bucket/o")) == expected);
}

TEST_CASE("a failed write on a worker reaches the stream's next call") {
  Setup s;
  ObjectStream stream(s.bucket, &s.compressors, Kind::single, &s.workers);
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
