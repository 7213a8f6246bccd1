#include "archive/bucket.h"

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

void write(Bucket& bucket, std::string_view key, std::string_view content) {
  Bucket::Put object{key, content};
  bucket.write(std::span(&object, 1), false);
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("objects are written beneath the bucket, directories made, no temporary file left") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  write(bucket, "a/b/x.jsonl", "{}\n");
  CHECK(slurp(dir / "bucket/a/b/x.jsonl") == "{}\n");
  CHECK(bucket.exists("a/b/x.jsonl"));
  CHECK_FALSE(bucket.exists("a/b/y.jsonl"));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "bucket/a/b")) names.push_back(entry.path().filename());
  CHECK(names == std::vector<std::string>{"x.jsonl"});
}

TEST_CASE("a symbolic link inside the bucket is never followed") {
  millrace::test::TempDir dir;
  fs::create_directory(dir / "outside");
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  fs::create_directory_symlink(dir / "outside", dir / "bucket/evil");
  CHECK_THROWS_AS(write(bucket, "evil/x.jsonl", "{}\n"), millrace::cli::Error);
  CHECK(fs::is_empty(dir / "outside"));
  std::ofstream(dir / "outside/secret.jsonl") << "{}\n";
  CHECK_FALSE(bucket.exists("evil/secret.jsonl"));
  CHECK(bucket.open_object("evil/secret.jsonl") < 0);
  CHECK(bucket.list("").empty());
}

TEST_CASE("keys with ., .. or empty components are refused") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  for (const char* key : {"../x", "a/../../x", "./x", "a//x", "/x", ""}) {
    CAPTURE(key);
    CHECK_THROWS_AS(write(bucket, key, "{}\n"), millrace::cli::Error);
  }
  CHECK(fs::is_empty(dir / "bucket"));
}

TEST_CASE("a listing holds the objects under a key prefix, without temporary files") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  write(bucket, "2026/01/a.jsonl", "1\n");
  write(bucket, "2026/02/b.jsonl", "2\n");
  write(bucket, "errors/c.jsonl", "3\n");
  std::ofstream(dir / "bucket/2026/01/.d.jsonl.tmp") << "partial";
  std::vector<std::string> all = bucket.list(""), year = bucket.list("2026/0"), one = bucket.list("2026/01/a");
  std::sort(all.begin(), all.end());
  CHECK(all == std::vector<std::string>{"2026/01/a.jsonl", "2026/02/b.jsonl", "errors/c.jsonl"});
  CHECK(year.size() == 2);
  CHECK(one == std::vector<std::string>{"2026/01/a.jsonl"});
}

TEST_CASE("a batch of objects: each in its directory, made as needed, and durable") {
  millrace::test::TempDir dir;
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  std::vector<Bucket::Put> objects{
      {"k=a/2026/x.jsonl", "1\n"}, {"k=a/2026/y.jsonl", "2\n"}, {"k=b/2026/x.jsonl", "3\n"}, {"top.jsonl", "4\n"}};
  bucket.write(objects, true);
  for (const Bucket::Put& object : objects) CHECK(slurp(dir / "bucket" / object.key) == object.bytes);
  std::vector<std::string> all = bucket.list("");
  CHECK(all.size() == objects.size());
  for (const auto& entry : fs::recursive_directory_iterator(dir / "bucket"))
    CHECK_FALSE(entry.path().filename().string().starts_with("."));
}

TEST_CASE("a batch that fails renames none of the objects not yet renamed, and leaves no temporary file") {
  millrace::test::TempDir dir;
  fs::create_directory(dir / "outside");
  Bucket bucket(dir / "bucket", Bucket::Open::create);
  fs::create_directory_symlink(dir / "outside", dir / "bucket/evil");
  std::vector<Bucket::Put> objects{{"good/x.jsonl", "1\n"}, {"evil/y.jsonl", "2\n"}};
  CHECK_THROWS_AS(bucket.write(objects, true), millrace::cli::Error);
  CHECK(bucket.list("").empty());
  CHECK(fs::is_empty(dir / "bucket/good"));
  CHECK(fs::is_empty(dir / "outside"));
}

TEST_CASE("a draft is an object only once published: before, nothing of it is beneath the bucket") {
  for (Bucket::Drafts drafts : {Bucket::Drafts::unnamed, Bucket::Drafts::named}) {
    CAPTURE(static_cast<int>(drafts));
    millrace::test::TempDir dir;
    Bucket bucket(dir / "bucket", Bucket::Open::create, drafts);
    Bucket::Draft draft = bucket.draft();
    draft.write("0123456789\n");
    draft.write("abc\n");
    draft.write_at_start("XY");
    CHECK(draft.size() == 15);
    CHECK(bucket.list("").empty());
    Bucket::Publication publication{"a/b/x.jsonl", &draft};
    bucket.publish(std::span(&publication, 1), true);
    CHECK(slurp(dir / "bucket/a/b/x.jsonl") == "XY23456789\nabc\n");
    // Nothing else: no temporary name left beside it or at the root.
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir / "bucket"))
      if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir / "bucket"));
    CHECK(files == std::vector<std::string>{"a/b/x.jsonl"});
  }
}

TEST_CASE("a draft not published leaves nothing") {
  for (Bucket::Drafts drafts : {Bucket::Drafts::unnamed, Bucket::Drafts::named}) {
    CAPTURE(static_cast<int>(drafts));
    millrace::test::TempDir dir;
    Bucket bucket(dir / "bucket", Bucket::Open::create, drafts);
    {
      Bucket::Draft draft = bucket.draft();
      draft.write("partial");
      Bucket::Draft moved = std::move(draft);
      if (drafts == Bucket::Drafts::named) CHECK_FALSE(fs::is_empty(dir / "bucket"));  // its temporary name
    }
    CHECK(fs::is_empty(dir / "bucket"));
  }
}

TEST_CASE("a published draft replaces an object of the same key, also beside a temporary file left by a crash") {
  for (Bucket::Drafts drafts : {Bucket::Drafts::unnamed, Bucket::Drafts::named}) {
    CAPTURE(static_cast<int>(drafts));
    millrace::test::TempDir dir;
    Bucket bucket(dir / "bucket", Bucket::Open::create, drafts);
    write(bucket, "k/x.jsonl", "old\n");
    std::ofstream(dir / "bucket/k/.x.jsonl.tmp") << "left by a crash";
    Bucket::Draft draft = bucket.draft();
    draft.write("new\n");
    Bucket::Publication publication{"k/x.jsonl", &draft};
    bucket.publish(std::span(&publication, 1), false);
    CHECK(slurp(dir / "bucket/k/x.jsonl") == "new\n");
    CHECK(bucket.list("") == std::vector<std::string>{"k/x.jsonl"});
    // An unnamed draft is linked under that temporary name before its rename.
    if (drafts == Bucket::Drafts::unnamed) CHECK_FALSE(fs::exists(dir / "bucket/k/.x.jsonl.tmp"));
  }
}
