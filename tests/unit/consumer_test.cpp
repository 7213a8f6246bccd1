#include "stream/consumer.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/error.h"
#include "store_fixture.h"

using namespace millrace;
using namespace millrace::stream;
using Kind = StartPosition::Kind;
using millrace::test::StoreFixture;

namespace {

// A one-shard stream "s" holding the lines r1 to r5 (counters 1 to 5).
struct Filled : StoreFixture {
  Filled() {
    create("s", 1);
    store::Producer producer(env, notifier, "s");
    std::vector<store::Put> puts;
    for (const char* data : {"r1", "r2", "r3", "r4", "r5"}) puts.push_back({0, "k", data, false});
    std::vector<store::Position> placed;
    producer.append(puts, placed);
  }

  // Runs consume with `options` (stream "s") and returns what it wrote.
  std::string consume(ConsumeOptions options, std::uint64_t* count = nullptr) {
    options.source.stream = "s";
    std::string path = (dir / "out").string();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    std::uint64_t n = 0;
    {
      lines::Writer writer(fd);
      n = stream::consume(env, notifier, options, writer);
      writer.flush();
    }
    ::close(fd);
    if (count != nullptr) *count = n;
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

ConsumeOptions from(std::string_view position) {
  ConsumeOptions options;
  auto parsed = StartPosition::parse(position);
  REQUIRE(parsed);
  options.from = *parsed;
  return options;
}

}  // namespace

TEST_CASE("start positions parse as Kinesis' shard iterator types") {
  auto trim = StartPosition::parse("trim-horizon");
  REQUIRE(trim);
  CHECK(trim->kind == Kind::trim_horizon);
  auto latest = StartPosition::parse("latest");
  REQUIRE(latest);
  CHECK(latest->kind == Kind::latest);
  auto at = StartPosition::parse("at:10000000000000005");
  REQUIRE(at);
  CHECK(at->kind == Kind::at_sequence);
  CHECK(at->sequence == store::Position{0, 5});
  auto after = StartPosition::parse("after:120000000000000005");
  REQUIRE(after);
  CHECK(after->kind == Kind::after_sequence);
  CHECK(after->sequence == store::Position{11, 5});
  auto time = StartPosition::parse("time:2026-11-23T10:00:00.123Z");
  REQUIRE(time);
  CHECK(time->kind == Kind::at_timestamp);
  CHECK(time->time == 1795428000123);
}

TEST_CASE("a sequence number of an endpoint is taken as given, and is not a store directory's") {
  std::string kinesis = "49546986683135544286507457936321625675700192471156785154";
  auto at = StartPosition::parse("at:" + kinesis);
  REQUIRE(at);
  CHECK(at->kind == Kind::at_sequence);
  CHECK(at->sequence_text == kinesis);
  CHECK_FALSE(at->store_sequence);
  auto ours = StartPosition::parse("after:10000000000000005");
  REQUIRE(ours);
  CHECK(ours->store_sequence);
  CHECK(ours->sequence_text == "10000000000000005");
  CHECK_FALSE(StartPosition::parse("at:1" + std::string(129, '0')));  // 130 digits: past Kinesis' pattern
}

TEST_CASE("other start positions are refused") {
  for (std::string_view text : {"", "TRIM_HORIZON", "trim_horizon", "earliest", "latest ", "at:", "at:xyz", "at:01", "at:-1",
                                "after", "after:", "time:", "time:yesterday", "time:2026-02-30", "at 10000000000000005",
                                "seq:10000000000000005"}) {
    CAPTURE(text);
    CHECK_FALSE(StartPosition::parse(text));
  }
}

TEST_CASE("consuming from the trim horizon delivers every record once, in order") {
  Filled store;
  std::uint64_t count = 0;
  CHECK(store.consume(from("trim-horizon"), &count) == "r1\nr2\nr3\nr4\nr5\n");
  CHECK(count == 5);
}

TEST_CASE("consuming from latest without following delivers nothing") {
  Filled store;
  std::uint64_t count = 1;
  CHECK(store.consume(from("latest"), &count).empty());
  CHECK(count == 0);
}

TEST_CASE("at:SEQ starts at that record, after:SEQ after it") {
  Filled store;
  CHECK(store.consume(from("at:10000000000000003")) == "r3\nr4\nr5\n");
  CHECK(store.consume(from("after:10000000000000003")) == "r4\nr5\n");
}

TEST_CASE("time: starts at the first record that arrived at or after the time") {
  Filled store;
  CHECK(store.consume(from("time:1970-01-02")) == "r1\nr2\nr3\nr4\nr5\n");
  CHECK(store.consume(from("time:9999-01-01")).empty());
}

TEST_CASE("a limit stops after that many records") {
  Filled store;
  ConsumeOptions options = from("trim-horizon");
  options.limit = 2;
  CHECK(store.consume(options) == "r1\nr2\n");
}

TEST_CASE("a group resumes after its checkpoint: nothing skipped, nothing repeated") {
  Filled store;
  ConsumeOptions options = from("trim-horizon");
  options.source.group = "billing";
  options.limit = 3;
  CHECK(store.consume(options) == "r1\nr2\nr3\n");
  options.limit = 0;
  CHECK(store.consume(options) == "r4\nr5\n");
  CHECK(store.consume(options).empty());
}

TEST_CASE("the envelope format names the stream, the group and the sequence number") {
  Filled store;
  ConsumeOptions options = from("at:10000000000000005");
  options.format = OutputFormat::envelope;
  std::string out = store.consume(options);
  CHECK(out.starts_with(R"({"stream":"s","shard":"shardId-000000000000","seq":"10000000000000005","pk":"k","ts":")"));
  CHECK(out.ends_with(R"(","data":"r5"})"
                      "\n"));
}

TEST_CASE("consuming a missing stream is no_input") {
  StoreFixture store;
  ConsumeOptions options;
  options.source.stream = "nope";
  lines::Writer writer(-1);
  cli::Exit status = cli::Exit::ok;
  try {
    consume(store.env, store.notifier, options, writer);
  } catch (const cli::Error& e) {
    status = e.status();
  }
  CHECK(status == cli::Exit::no_input);
}
