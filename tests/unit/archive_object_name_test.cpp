#include "archive/object_name.h"

#include <doctest/doctest.h>

#include <string>

using namespace millrace::archive;

namespace {
constexpr millrace::lines::EpochMs kTime = 1'772'355'907'042;  // 2026-03-01T09:05:07.042Z
}

TEST_CASE("objects are named as Firehose names them, with the time of their oldest record") {
  CHECK(object_name("rides", kTime, "abc", Compression::zstd) == "rides-2026-03-01-09-05-07-abc.jsonl.zst");
  CHECK(object_name("rides", kTime, "abc", Compression::none) == "rides-2026-03-01-09-05-07-abc.jsonl");
}

TEST_CASE("ids from a stream are the first and last sequence numbers; others are random UUIDs") {
  CHECK(sequence_id({0, 1}, {2, 42}) == "10000000000000001-30000000000000042");
  std::string id = random_id();
  // 8-4-4-4-12 lower-case hex digits, version 4, RFC 4122 variant.
  REQUIRE(id.size() == 36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    CAPTURE(i);
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    CHECK((dash ? id[i] == '-' : std::string_view("0123456789abcdef").find(id[i]) != std::string_view::npos));
  }
  CHECK(id[14] == '4');
  CHECK(std::string_view("89ab").find(id[19]) != std::string_view::npos);
  CHECK(random_id() != id);
}

TEST_CASE("the time of an object is read back from its name, to the second") {
  CHECK(object_time(object_name("rides", kTime, random_id(), Compression::zstd)) == kTime - 42);
  CHECK(object_time(object_name("a-2020-01-01-00-00-00-b", kTime, sequence_id({0, 1}, {0, 9}), Compression::none)) ==
        kTime - 42);
  CHECK_FALSE(object_time("notes.txt"));
  CHECK_FALSE(object_time("x-2026-13-01-00-00-00-id"));
  CHECK_FALSE(object_time(temporary_name(object_name("rides", kTime, "abc", Compression::zstd))));
}

TEST_CASE("temporary names begin with a dot; object names may not") {
  CHECK(temporary_name("a.jsonl.zst") == ".a.jsonl.zst.tmp");
  CHECK(is_temporary(".a.jsonl.zst.tmp"));
  CHECK_FALSE(is_temporary("a.jsonl.zst"));
  CHECK(check_object_name(".hidden"));
  CHECK(check_object_name("a/b"));
  CHECK_FALSE(check_object_name("rides-archive"));
}
