// The loop of ks-window (lib/window/run.h) with its parsing pipeline (lib/window/pipeline.h),
// and the records it hands the windows (lib/window/record.h).
//
// The pipeline parses lines on worker threads, batch by batch, and the windows must see exactly
// what one thread reading line by line would give them. The run test feeds several batches' worth
// of lines (late records, times out of order, bad and filtered lines among them) and compares
// the whole output, the late file and the counts with a reference written here from the
// specification: a watermark that trails the newest accepted time by the lateness, a record late
// when its window ends at or before the watermark, windows out in order of start, groups in the
// order they first appeared.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "lines/json.h"
#include "lines/reader.h"
#include "lines/time.h"
#include "lines/writer.h"
#include "temp_dir.h"
#include "window/engine.h"
#include "window/line_parser.h"
#include "window/pipeline.h"
#include "window/record.h"
#include "window/run.h"
#include "window/select.h"

using namespace millrace::window;
using millrace::lines::EpochMs;
using millrace::lines::Field;
using millrace::test::TempDir;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reference: tumbling windows of kWindow by "k", count(*) and sum(v), event time "t".
constexpr EpochMs kWindow = 10'000;
constexpr EpochMs kLateness = 2'000;
constexpr EpochMs kBase = 1709294400000;  // 2024-03-01T12:00:00Z, a multiple of kWindow

struct Expected {
  struct Group {
    std::string key;
    std::int64_t count = 0, sum = 0;
  };
  std::map<EpochMs, std::vector<Group>> windows;  // by start; groups in order of appearance
  std::string late;                               // the late lines, each with its newline
  std::uint64_t records = 0, filtered = 0, late_count = 0, skipped = 0;
  EpochMs newest = INT64_MIN;

  // A record of the input, in order (bad lines are counted by the caller).
  void add(const std::string& line, const std::string& key, EpochMs t, std::int64_t v) {
    if (v == 3) {  // --where 'v != 3'
      ++filtered;
      return;
    }
    EpochMs start = t / kWindow * kWindow;
    if (newest != INT64_MIN && start + kWindow <= newest - kLateness) {
      ++late_count;
      late += line + "\n";
      return;
    }
    ++records;
    newest = std::max(newest, t);
    std::vector<Group>& groups = windows[start];
    auto group = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.key == key; });
    if (group == groups.end()) group = groups.insert(groups.end(), Group{key});
    ++group->count;
    group->sum += v;
  }

  std::string output() const {
    std::string out;
    for (const auto& [start, groups] : windows)
      for (const Group& g : groups)
        out += fmt::format(R"({{"k":"{}","window_start":"{}","n":{},"s":{}}})"
                           "\n",
                           g.key, millrace::lines::format_iso8601(start), g.count, g.sum);
    return out;
  }
};

}  // namespace

TEST_CASE("run: lines parsed in parallel batches reach the windows as in input order, one by one") {
  constexpr std::uint64_t kSeed = 20240301;
  INFO("seed ", kSeed);  // printed with any failure
  std::mt19937_64 random(kSeed);
  auto uniform = [&](std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
  };
  // About 9 MB: more than four reads of the Reader's 2 MiB buffer, so several batches in flight.
  constexpr int kLines = 120'000;
  const std::vector<std::string> keys = {"a", "b\\u0062", "c", "d\\\"q", "e"};  // as written in JSON
  const std::vector<std::string> key_text = {"a", "bb", "c", "d\\\"q", "e"};  // as written back
  Expected expected;
  std::string input;
  EpochMs clock = kBase;
  for (int i = 0; i < kLines; ++i) {
    clock += uniform(0, 40);
    if (uniform(0, 20'000) == 0) {  // a bad line, skipped with a warning
      input += "{\"k\":\"a\",\"t\":\n";
      ++expected.skipped;
      continue;
    }
    EpochMs t = clock + uniform(-1'500, 300);                // out of order, mostly within the lateness
    if (uniform(0, 400) == 0) t = clock - uniform(0, 60'000);  // now and then far behind: late
    std::size_t k = static_cast<std::size_t>(uniform(0, 4));
    std::int64_t v = uniform(0, 9);
    std::string line = fmt::format(R"({{"k":"{}","pad":"{:040}","t":{},"v":{}}})", keys[k], i, t, v);
    input += line + "\n";
    expected.add(line, key_text[k], t, v);
  }
  REQUIRE(expected.late_count > 100);
  REQUIRE(expected.windows.size() > 100);

  TempDir dir;
  std::string in = dir.write("in.jsonl", input);
  std::string out_path = (dir / "out.jsonl").string(), late_path = (dir / "late.jsonl").string();
  std::vector<Field> by = {Field("k")};
  Engine engine({WindowSpec::Kind::tumbling, kWindow, kWindow, 0}, by,
                parse_select("k, window_start, count(*) AS n, sum(v) AS s", by), true);
  RunOptions options;
  options.time_field.emplace("t");
  options.lateness_ms = kLateness;
  options.where = millrace::expr::Condition::compile("v != 3");
  options.late_file = late_path;
  options.on_error = OnError::skip;
  millrace::cli::set_program("ks-window", millrace::cli::Verbosity::quiet);
  int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  RunStats stats;
  {
    millrace::lines::Reader reader({in}, 1 << 20);
    millrace::lines::Writer out(fd);
    stats = run(reader, engine, options, out);
  }
  ::close(fd);
  CHECK(stats.records == expected.records);
  CHECK(stats.filtered == expected.filtered);
  CHECK(stats.late == expected.late_count);
  CHECK(stats.skipped == expected.skipped);
  CHECK(read_file(late_path) == expected.late);
  CHECK(read_file(out_path) == expected.output());
}

TEST_CASE("pipeline: with no workers, one or three, batches come back whole and in input order") {
  // About 6 MB: several reads of the Reader's 1 MiB buffer (lines of at most 4 KiB); a bad line now
  // and then.
  std::string input;
  constexpr int kLines = 100'000;
  for (int i = 0; i < kLines; ++i)
    input += i % 997 == 0 ? fmt::format("{{\"k\":\"a\",\"i\":{}\n", i)
                          : fmt::format(R"({{"k":"a","pad":"{:030}","i":{}}})"
                                        "\n",
                                        i, i);
  TempDir dir;
  std::string in = dir.write("in.jsonl", input);
  std::vector<Field> by = {Field("k")};
  Projection projection(by, parse_select("k, sum(i) AS s", by));
  LineParser parser(projection, millrace::lines::InputFormat::data, std::nullopt, nullptr);
  for (std::size_t workers : {0, 1, 3}) {
    CAPTURE(workers);
    millrace::lines::Reader reader({in}, 4096);
    Pipeline pipeline(parser, workers, 2 * (workers + 1));
    std::uint64_t next_line = 1;
    std::size_t batches = 0;
    bool in_order = true;
    auto take = [&] {
      const Batch& batch = pipeline.take();
      ++batches;
      for (std::size_t i = 0; i < batch.lines.size(); ++i, ++next_line) {
        std::int64_t n = static_cast<std::int64_t>(next_line - 1);
        bool bad = n % 997 == 0;
        const ParsedLine& parsed = batch.parsed[i];
        in_order = in_order && batch.lines[i].number == next_line &&
                   parsed.status == (bad ? ParsedLine::Status::bad : ParsedLine::Status::record) &&
                   (bad || (parsed.record.values.size() == 1 && parsed.record.values[0].int64() == n));
      }
    };
    for (bool more = true; more;) {
      pipeline.submit(reader);
      if (pipeline.full()) take();
      more = reader.fill();
    }
    while (!pipeline.empty()) take();
    CHECK(in_order);
    CHECK(next_line == kLines + 1);
    CHECK(batches > 4);
  }
}

TEST_CASE("records: equal --by values group together however they are written, distinct ones apart") {
  std::vector<Field> by = {Field("k")};
  std::vector<SelectItem> select = parse_select("k, count(*)", by);
  Projection projection(by, select);
  simdjson::dom::parser parser;
  Arena arena;
  auto key_of = [&](std::string_view json) {
    simdjson::dom::element record;
    REQUIRE(parser.parse(json.data(), json.size()).get(record) == simdjson::SUCCESS);
    Record read = projection.read(record, arena, nullptr);
    return std::pair{std::string(read.key), read.hash};
  };
  CHECK(key_of(R"({"k":"A"})") == key_of(R"({"k":"\u0041"})"));
  CHECK(key_of(R"({"k":1.0})") == key_of(R"({"k":1.00})"));
  CHECK(key_of(R"({"k":1.5})") == key_of(R"({"k":15e-1})"));
  CHECK(key_of(R"({"k":null})") == key_of(R"({"x":1})"));  // null and missing are both null
  CHECK(key_of(R"({"k":{"a":1}})") == key_of(R"({"k": { "a" : 1 }})"));
  CHECK(key_of(R"({"k":1})").first != key_of(R"({"k":1.0})").first);
  CHECK(key_of(R"({"k":1})").first != key_of(R"({"k":"1"})").first);
  CHECK(key_of(R"({"k":true})").first != key_of(R"({"k":"true"})").first);
  CHECK(key_of(R"({"k":0.0})").first != key_of(R"({"k":-0.0})").first);
  CHECK(key_of(R"({"k":"ab"})").first != key_of(R"({"k":"ab "})").first);
  CHECK(key_of(R"({"k":"a","k":"b"})") == key_of(R"({"k":"a"})"));  // the first of duplicate keys
}

TEST_CASE("records: a group's values are written back as simdjson's minified JSON of the first record") {
  std::vector<Field> by = {Field("a"), Field("/b/c"), Field("d")};
  std::vector<SelectItem> select = parse_select("a, count(*)", by);
  Projection projection(by, select);
  simdjson::dom::parser parser;
  Arena arena;
  for (std::string_view value :
       {R"("plain")", R"("q\"b\\s\/\n\t\u0001\u001f\u007f é \ud83d\ude00")", "-42", "18446744073709551615", "1.5",
        "1e100", "-0.0", "0.1", "true", "false", "null", R"({"x":[1,2.50,{"y":"z"}], "w" : {}})", "[]"}) {
    CAPTURE(value);
    std::string json = fmt::format(R"({{"a":{0},"b":{{"c":{0}}}}})", value);
    simdjson::dom::element record;
    REQUIRE(parser.parse(json).get(record) == simdjson::SUCCESS);
    std::string minified = simdjson::minify(record["a"].value_unsafe());
    std::string out;
    std::vector<std::size_t> ends;
    write_key_json(projection.read(record, arena, nullptr).key, out, ends);
    CHECK(out == minified + "\n" + minified + "\nnull\n");  // d is missing: null
    REQUIRE(ends.size() == 3);
    CHECK(ends[0] == minified.size());
  }
}

TEST_CASE("records: values of the aggregates' fields, each read once, and the --time field with them") {
  std::vector<Field> by = {Field("k")};
  std::vector<SelectItem> select = parse_select("k, min(v), max(v), first(o), count(*), last(s)", by);
  Projection projection = Projection(by, select).with_time(Field("t"));
  CHECK(projection.value_count() == 3);  // v, o, s
  CHECK(projection.aggregate_value() == std::vector<int>{0, 0, 1, -1, 2});
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  std::string json = R"({"s":"x\ty","v":7,"t":"2024-03-01T12:00:00Z","o":{"a": [1, 2]}})";
  REQUIRE(parser.parse(json).get(record) == simdjson::SUCCESS);
  Arena arena;
  std::vector<Value> values(projection.value_count());
  Record read = projection.read(record, arena, values.data());
  REQUIRE(read.values.size() == 3);
  CHECK(read.values[0].kind() == Value::Kind::int64);
  CHECK(read.values[0].int64() == 7);
  CHECK(read.values[1].kind() == Value::Kind::json);
  CHECK(read.values[1].text() == R"({"a":[1,2]})");
  CHECK(read.values[2].kind() == Value::Kind::string);
  CHECK(read.values[2].text() == "x\ty");
  REQUIRE(projection.time().has_value());
  CHECK(projection.time()->get_string().value_unsafe() == "2024-03-01T12:00:00Z");
  json = R"({"k":1})";
  REQUIRE(parser.parse(json).get(record) == simdjson::SUCCESS);
  read = projection.read(record, arena, values.data());
  CHECK(read.values[0].kind() == Value::Kind::missing);
  CHECK_FALSE(projection.time().has_value());
}

TEST_CASE("arena: copies stay where they were put while more are added, large ones too") {
  Arena arena;
  std::vector<std::pair<std::string_view, std::string>> kept;
  for (int i = 0; i < 20'000; ++i) {
    std::string text(static_cast<std::size_t>(i % 97 == 0 ? 70'000 + i : i % 13), static_cast<char>('a' + i % 26));
    kept.emplace_back(arena.copy(text), text);
  }
  for (const auto& [view, text] : kept) CHECK(view == text);
  arena.clear();
  CHECK(arena.copy("again") == "again");
}
