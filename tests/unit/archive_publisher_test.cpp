#include "archive/publisher.h"

#include <doctest/doctest.h>

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

Bucket::Draft draft_of(Bucket& bucket, const std::string& bytes) {
  Bucket::Draft draft = bucket.draft();
  draft.write(bytes);
  return draft;
}

}  // namespace

TEST_CASE("drafts handed over are published, and reported, each once") {
  for (bool sync : {false, true}) {
    CAPTURE(sync);
    millrace::test::TempDir dir;
    Bucket bucket(dir / "bucket", Bucket::Open::create);
    Publisher publisher(bucket, sync);
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 100; ++i) {  // more than wait at once, more than a batch
      std::string bytes(i + 1, 'x');
      ids.push_back(publisher.publish("p" + std::to_string(i % 3) + "/o" + std::to_string(i), draft_of(bucket, bytes),
                                      1000 + i));
    }
    publisher.drain();
    std::vector<Publisher::Published> published = publisher.published();
    REQUIRE(published.size() == ids.size());
    std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (int i = 0; i < 100; ++i) {
      CAPTURE(i);
      CHECK(published[i].id == ids[i]);
      CHECK(published[i].lines == 1000u + i);
      CHECK(published[i].bytes == i + 1u);
      CHECK(slurp(dir / "bucket" / ("p" + std::to_string(i % 3)) / ("o" + std::to_string(i))) ==
            std::string(i + 1, 'x'));
    }
    CHECK(publisher.published().empty());
  }
}

TEST_CASE("a draft that cannot be published stops the publisher: the next calls throw") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  std::ofstream(dir / "bucket/file") << "in the way";
  Publisher publisher(bucket, false);
  publisher.publish("file/x.jsonl.zst", draft_of(bucket, "{}\n"), 3);
  CHECK_THROWS_AS(publisher.drain(), millrace::cli::Error);
  CHECK_THROWS_AS(publisher.published(), millrace::cli::Error);
  CHECK_THROWS_AS(publisher.publish("y.jsonl.zst", draft_of(bucket, "{}\n"), 3), millrace::cli::Error);
}
