// The windows of ks-window (lib/window/engine.h) and its --select list (lib/window/select.h).
// Expected values are worked out by hand from the headers and the spec (/tmp/spec/ks-window.md).
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/error.h"
#include "window/engine.h"
#include "window/select.h"
#include "window_engine_fixture.h"

using namespace millrace::window;
using namespace millrace::test;

namespace {

// The cli::Error thrown by parse_select (which must be a usage error), or "parsed".
std::string select_error(std::string_view text, std::vector<std::string> by = {"Name"}) {
  std::vector<Field> group_by = fields(std::move(by));
  try {
    parse_select(text, group_by);
  } catch (const millrace::cli::Error& e) {
    CHECK(e.status() == millrace::cli::Exit::usage);
    return e.what();
  }
  return "parsed";
}

}  // namespace

// ---- window specs ----------------------------------------------------------------------------

TEST_CASE("window: --hopping SIZE/SLIDE parses, and SLIDE must divide SIZE") {
  WindowSpec spec = WindowSpec::hopping("5m/1m");
  CHECK(spec.kind == WindowSpec::Kind::hopping);
  CHECK(spec.size_ms == 5 * kMinute);
  CHECK(spec.slide_ms == kMinute);
  CHECK(spec.windows_per_record() == 5);
  WindowSpec ms = WindowSpec::hopping("10s/500ms");
  CHECK(ms.size_ms == 10 * kSecond);
  CHECK(ms.slide_ms == 500);
  for (std::string_view bad :
       {"5m/2m", "5m", "5m/", "/1m", "5m/1x", "five/1m", "", "1m/0s", "0s/1s", "5m-1m"}) {
    CAPTURE(bad);
    try {
      WindowSpec::hopping(bad);
      FAIL("accepted");
    } catch (const millrace::cli::Error& e) {
      CHECK(e.status() == millrace::cli::Exit::usage);
      CHECK(e.where() == "--hopping");
    }
  }
}

// ---- tumbling ----------------------------------------------------------------------------------

TEST_CASE("window: tumbling windows, one per time, a record at a window's end in the next") {
  Engine engine = make_engine(tumbling(kMinute), {}, "window_start, window_end, count(*) AS n");
  CHECK_FALSE(engine.next_end().has_value());
  added(engine, R"({})", kBase);                       // first ms of [12:00, 12:01)
  added(engine, R"({})", kBase + kMinute - 1);         // last ms of [12:00, 12:01)
  added(engine, R"({})", kBase + kMinute);             // exactly 12:01: the next window
  added(engine, R"({})", kBase + 2 * kMinute - 1);     // last ms of [12:01, 12:02)
  added(engine, R"({})", kBase + 2 * kMinute);         // 12:02
  added(engine, R"({})", kBase + 5 * kMinute + 1234);  // 12:05:01.234
  REQUIRE(engine.next_end().has_value());
  CHECK(*engine.next_end() == kBase + kMinute);
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T12:00:00.000Z\",\"window_end\":\"2024-03-01T12:01:00."
        "000Z\",\"n\":2}\n"
        "{\"window_start\":\"2024-03-01T12:01:00.000Z\",\"window_end\":\"2024-03-01T12:02:00."
        "000Z\",\"n\":2}\n"
        "{\"window_start\":\"2024-03-01T12:02:00.000Z\",\"window_end\":\"2024-03-01T12:03:00."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:05:00.000Z\",\"window_end\":\"2024-03-01T12:06:00."
        "000Z\",\"n\":1}\n");
  CHECK_FALSE(engine.next_end().has_value());
  CHECK(finish(engine).empty());  // each window is emitted once
}

TEST_CASE("window: tumbling windows are aligned to the epoch, with sub-minute sizes too") {
  Engine engine = make_engine(tumbling(7 * kSecond), {}, "window_start, window_end, count(*)");
  // 7 s windows from the epoch: 1709294400000 / 7000 = 244184914.28..., so the window holding
  // kBase starts at 244184914 * 7000 = 1709294398000 (11:59:58) and ends at 12:00:05.
  added(engine, R"({})", kBase);
  added(engine, R"({})", kBase + 4999);
  added(engine, R"({})", kBase + 5000);
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T11:59:58.000Z\",\"window_end\":\"2024-03-01T12:00:05."
        "000Z\",\"count(*)\":2}\n"
        "{\"window_start\":\"2024-03-01T12:00:05.000Z\",\"window_end\":\"2024-03-01T12:00:12."
        "000Z\",\"count(*)\":1}\n");
}

TEST_CASE("window: one line per window and group, with the group's fields") {
  Engine engine = make_engine(tumbling(kMinute), {"Name", "/k/n"},
                              "Name, /k/n AS n, window_start, count(*) AS c, sum(v) AS s");
  added(engine, R"({"Name":"b","k":{"n":2},"v":1})", kBase + 1);
  added(engine, R"({"Name":"a","k":{"n":1},"v":2})", kBase + 2);
  added(engine, R"({"Name":"b","k":{"n":2},"v":3})", kBase + 3);
  added(engine, R"({"Name":"b","k":{"n":3},"v":4})", kBase + 4);
  added(engine, R"({"k":{"n":3},"v":5})", kBase + 5);                   // Name missing: null
  added(engine, R"({"Name":"a","k":{"n":1},"v":6})", kBase + kMinute);  // the next window
  std::vector<std::string> lines = split_lines(finish(engine));
  REQUIRE(lines.size() == 5);
  // The groups of one window come in some order; windows in order of their end.
  std::vector<std::string> first(lines.begin(), lines.begin() + 4);
  CHECK(sorted(first) ==
        std::vector<std::string>{
            R"({"Name":"a","n":1,"window_start":"2024-03-01T12:00:00.000Z","c":1,"s":2})",
            R"({"Name":"b","n":2,"window_start":"2024-03-01T12:00:00.000Z","c":2,"s":4})",
            R"({"Name":"b","n":3,"window_start":"2024-03-01T12:00:00.000Z","c":1,"s":4})",
            R"({"Name":null,"n":3,"window_start":"2024-03-01T12:00:00.000Z","c":1,"s":5})",
        });
  CHECK(lines[4] == R"({"Name":"a","n":1,"window_start":"2024-03-01T12:01:00.000Z","c":1,"s":6})");
}

TEST_CASE("window: output keys in select order, ISO times with ms, integers stay integers") {
  Engine engine = make_engine(
      tumbling(kSecond), {"Name"},
      "count(*) AS n, Name, window_end, sum(i), sum(d) AS sd, avg(i) AS a2, "
      "min(i), max(d), first(s), last(s), window_start AS ws, count(x), count_distinct(i)");
  added(engine, R"({"Name":"Shadowfax","i":1,"d":0.5,"s":"x"})", kBase + 250);
  added(engine, R"({"Name":"Shadowfax","i":2,"d":1.25,"s":"y"})", kBase + 999);
  added(engine, R"({"Name":"Shadowfax","i":3,"d":1,"s":"z","x":null})", kBase + 500);
  CHECK(
      finish(engine) ==
      R"J({"n":3,"Name":"Shadowfax","window_end":"2024-03-01T12:00:01.000Z","sum(i)":6,"sd":2.75,"a2":2,)J"
      R"J("min(i)":1,"max(d)":1.25,"first(s)":"x","last(s)":"z","ws":"2024-03-01T12:00:00.000Z",)J"
      R"J("count(x)":0,"count_distinct(i)":3})J"
      "\n");
}

TEST_CASE("window: a window time keeps its milliseconds") {
  Engine engine = make_engine(tumbling(250), {}, "window_start, window_end");
  added(engine, R"({})", kBase + 1500 + 260);  // [12:00:01.750, 12:00:02.000)
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T12:00:01.750Z\",\"window_end\":\"2024-03-01T12:00:02."
        "000Z\"}\n");
}

TEST_CASE("window: a value of the wrong type refuses the whole record") {
  Engine engine = make_engine(tumbling(kMinute), {}, "count(*) AS n, sum(v) AS total");
  added(engine, R"({"v":1})", kBase);
  Engine::Outcome refused = add(engine, R"({"v":"seven"})", kBase + 1);
  CHECK(refused.status == Engine::Added::wrong_type);
  // The item refused: by its output name or its text.
  CHECK((refused.aggregate.find("total") != std::string_view::npos ||
         refused.aggregate.find("sum") != std::string_view::npos));
  added(engine, R"({"v":2})", kBase + 2);
  // count(*) did not count the refused record either.
  CHECK(finish(engine) == "{\"n\":2,\"total\":3}\n");
}

// ---- hopping -----------------------------------------------------------------------------------

TEST_CASE(
    "window: hopping windows hold each record SIZE/SLIDE times, starts aligned to the slide") {
  Engine engine = make_engine(hopping("5m/1m"), {}, "window_start, window_end, count(*) AS n");
  added(engine, R"({})",
        kBase + 10 * kMinute + 30 * kSecond);  // 12:10:30: windows from 12:06 to 12:10
  CHECK(*engine.next_end() == kBase + 11 * kMinute);
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T12:06:00.000Z\",\"window_end\":\"2024-03-01T12:11:00."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:07:00.000Z\",\"window_end\":\"2024-03-01T12:12:00."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:08:00.000Z\",\"window_end\":\"2024-03-01T12:13:00."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:09:00.000Z\",\"window_end\":\"2024-03-01T12:14:00."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:10:00.000Z\",\"window_end\":\"2024-03-01T12:15:00."
        "000Z\",\"n\":1}\n");
}

TEST_CASE("window: hopping boundaries: a record at a slide boundary starts a window") {
  Engine engine = make_engine(hopping("2m/1m"), {}, "window_start, count(*) AS n, sum(v) AS s");
  added(engine, R"({"v":1})", kBase + kMinute);  // 12:01: [12:00,12:02) and [12:01,12:03)
  added(engine, R"({"v":10})",
        kBase + kMinute - 1);  // 12:00:59.999: [11:59,12:01) and [12:00,12:02)
  added(engine, R"({"v":100})", kBase + 3 * kMinute - 1);  // [12:01,12:03) and [12:02,12:04)
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T11:59:00.000Z\",\"n\":1,\"s\":10}\n"
        "{\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":2,\"s\":11}\n"
        "{\"window_start\":\"2024-03-01T12:01:00.000Z\",\"n\":2,\"s\":101}\n"
        "{\"window_start\":\"2024-03-01T12:02:00.000Z\",\"n\":1,\"s\":100}\n");
}

TEST_CASE("window: hopping: the sum of counts is records x SIZE/SLIDE") {
  Engine engine = make_engine(hopping("1m/10s"), {}, "count(*) AS n");
  for (int i = 0; i < 100; ++i) added(engine, R"({})", kBase + i * 1777);
  std::vector<std::string> lines = split_lines(finish(engine));
  long total = 0;
  for (const std::string& line : lines) {
    REQUIRE(line.starts_with("{\"n\":"));
    total += std::stol(line.substr(5));
  }
  CHECK(total == 100 * 6);
}

// ---- sessions ----------------------------------------------------------------------------------

TEST_CASE("window: sessions per group end after GAP without a record") {
  Engine engine = make_engine(session(10 * kSecond), {"u"},
                              "u, window_start, window_end, count(*) AS n, sum(v) AS s");
  added(engine, R"({"u":"a","v":1})", kBase + 1 * kSecond);
  added(engine, R"({"u":"a","v":2})", kBase + 5 * kSecond);
  added(engine, R"({"u":"b","v":100})", kBase + 6 * kSecond);
  added(engine, R"({"u":"a","v":4})", kBase + 14 * kSecond);  // 9 s after 00:05: same session
  added(engine, R"({"u":"a","v":8})", kBase + 24 * kSecond);  // exactly GAP after 00:14: a new one
  added(engine, R"({"u":"b","v":200})", kBase + 15 * kSecond);  // 9 s after 00:06: b's same session
  // a: [00:01, 00:14 + 10 s = 00:24), [00:24, 00:34); b: [00:06, 00:25).
  CHECK(advance(engine, kBase + 23 * kSecond).empty());
  CHECK(advance(engine, kBase + 24 * kSecond) ==
        "{\"u\":\"a\",\"window_start\":\"2024-03-01T12:00:01.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:24.000Z\",\"n\":3,\"s\":7}\n");
  CHECK(*engine.next_end() == kBase + 25 * kSecond);
  CHECK(finish(engine) ==
        "{\"u\":\"b\",\"window_start\":\"2024-03-01T12:00:06.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:25.000Z\",\"n\":2,\"s\":300}\n"
        "{\"u\":\"a\",\"window_start\":\"2024-03-01T12:00:24.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:34.000Z\",\"n\":1,\"s\":8}\n");
  CHECK_FALSE(engine.next_end().has_value());
}

TEST_CASE("window: next_end() of sessions is the end of the earliest open session") {
  // engine.h: "The earliest end of an open window: when the next one is due." A session's end
  // moves later as records extend it, so next_end() must follow.
  Engine engine = make_engine(session(10 * kSecond), {"u"}, "u, count(*) AS n");
  added(engine, R"({"u":"a"})", kBase + 1 * kSecond);  // a: [00:01, 00:11)
  CHECK(*engine.next_end() == kBase + 11 * kSecond);
  added(engine, R"({"u":"a"})", kBase + 5 * kSecond);  // a: [00:01, 00:15)
  CHECK(*engine.next_end() == kBase + 15 * kSecond);
  added(engine, R"({"u":"b"})", kBase + 8 * kSecond);  // b: [00:08, 00:18)
  CHECK(*engine.next_end() == kBase + 15 * kSecond);
  added(engine, R"({"u":"a"})", kBase + 14 * kSecond);  // a: [00:01, 00:24)
  CHECK(*engine.next_end() == kBase + 18 * kSecond);
  // At the time next_end() gives, a session is due.
  CHECK(advance(engine, *engine.next_end()) == "{\"u\":\"b\",\"n\":1}\n");
  CHECK(*engine.next_end() == kBase + 24 * kSecond);
}

TEST_CASE("window: a record that bridges two sessions merges them, counts and sums merged") {
  Engine engine = make_engine(
      session(10 * kSecond), {"u"},
      "u, window_start, window_end, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, "
      "count_distinct(v) AS d");
  added(engine, R"({"u":"a","v":1})", kBase + 1 * kSecond);    // session [00:01, 00:11)
  added(engine, R"({"u":"a","v":2})", kBase + 3 * kSecond);    // session [00:01, 00:13)
  added(engine, R"({"u":"a","v":20})", kBase + 20 * kSecond);  // apart: [00:20, 00:30)
  added(engine, R"({"u":"a","v":30})", kBase + 27 * kSecond);  // [00:20, 00:37)
  added(engine, R"({"u":"z","v":9})", kBase + 12 * kSecond);   // another group: no bridge for a
  // 00:12 is within 10 s after 00:03 and within 10 s before 00:20: one session [00:01, 00:37).
  added(engine, R"({"u":"a","v":2})", kBase + 12 * kSecond);
  std::vector<std::string> lines = split_lines(finish(engine));
  CHECK(
      lines ==
      std::vector<std::string>{
          R"({"u":"z","window_start":"2024-03-01T12:00:12.000Z","window_end":"2024-03-01T12:00:22.000Z","n":1,"s":9,"lo":9,"hi":9,"d":1})",
          R"({"u":"a","window_start":"2024-03-01T12:00:01.000Z","window_end":"2024-03-01T12:00:37.000Z","n":5,"s":55,"lo":1,"hi":30,"d":4})",
      });
}

TEST_CASE("window: a session grows backwards with an earlier record within the gap") {
  Engine engine = make_engine(session(10 * kSecond), {}, "window_start, window_end, count(*) AS n");
  added(engine, R"({})", kBase + 20 * kSecond);
  added(engine, R"({})", kBase + 12 * kSecond);  // 8 s before: the same session, now from 00:12
  added(engine, R"({})", kBase + 1 * kSecond);   // 11 s before 00:12: a session of its own
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T12:00:01.000Z\",\"window_end\":\"2024-03-01T12:00:11."
        "000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:00:12.000Z\",\"window_end\":\"2024-03-01T12:00:30."
        "000Z\",\"n\":2}\n");
}

TEST_CASE("window: a record for a session already emitted is late") {
  Engine engine = make_engine(session(10 * kSecond), {"u"}, "u, count(*) AS n");
  added(engine, R"({"u":"a"})", kBase);
  CHECK(advance(engine, kBase + 10 * kSecond) == "{\"u\":\"a\",\"n\":1}\n");
  late(engine, R"({"u":"a"})", kBase);  // its session would have ended at the watermark
  late(engine, R"({"u":"b"})", kBase - kSecond);
  added(engine, R"({"u":"a"})", kBase + 1);  // would end after the watermark: a new session
  CHECK(finish(engine) == "{\"u\":\"a\",\"n\":1}\n");
}

// ---- watermark and lateness --------------------------------------------------------------------

TEST_CASE("window: advance() emits only the windows ending at or before the watermark, in order") {
  Engine engine = make_engine(tumbling(kMinute), {}, "window_start, count(*) AS n");
  // Out of order on purpose.
  added(engine, R"({})", kBase + 3 * kMinute + 5);
  added(engine, R"({})", kBase + 1 * kMinute + 5);
  added(engine, R"({})", kBase + 0 * kMinute + 5);
  added(engine, R"({})", kBase + 2 * kMinute + 5);
  added(engine, R"({})", kBase + 1 * kMinute + 6);
  CHECK(*engine.next_end() == kBase + kMinute);
  CHECK(advance(engine, kBase + kMinute - 1).empty());
  CHECK(advance(engine, kBase + 3 * kMinute) ==
        "{\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:01:00.000Z\",\"n\":2}\n"
        "{\"window_start\":\"2024-03-01T12:02:00.000Z\",\"n\":1}\n");
  CHECK(engine.watermark() == kBase + 3 * kMinute);
  CHECK(*engine.next_end() == kBase + 4 * kMinute);
  // The watermark never goes back, and nothing is emitted twice.
  CHECK(advance(engine, kBase).empty());
  CHECK(engine.watermark() == kBase + 3 * kMinute);
  // A record in an emitted window is late; one in the open window is not.
  late(engine, R"({})", kBase + 2 * kMinute + 59 * kSecond);
  late(engine, R"({})", kBase);
  added(engine, R"({})", kBase + 3 * kMinute);  // at the watermark: in [12:03, 12:04), still open
  CHECK(finish(engine) == "{\"window_start\":\"2024-03-01T12:03:00.000Z\",\"n\":2}\n");
}

TEST_CASE("window: a record behind the watermark opens no new window") {
  Engine engine = make_engine(tumbling(kMinute), {}, "window_start, count(*) AS n");
  CHECK(advance(engine, kBase + 10 * kMinute).empty());
  // Its window [12:05, 12:06) never existed, but it has ended: the record is late.
  late(engine, R"({})", kBase + 5 * kMinute);
  CHECK_FALSE(engine.next_end().has_value());
  CHECK(finish(engine).empty());
}

TEST_CASE("window: with hopping windows a record partly late goes to its open windows") {
  Engine engine = make_engine(hopping("2m/1m"), {}, "window_start, count(*) AS n");
  added(engine, R"({})", kBase + 30 * kSecond);                // [11:59, 12:01), [12:00, 12:02)
  added(engine, R"({})", kBase + 2 * kMinute + 30 * kSecond);  // [12:01, 12:03), [12:02, 12:04)
  CHECK(advance(engine, kBase + 2 * kMinute) ==
        "{\"window_start\":\"2024-03-01T11:59:00.000Z\",\"n\":1}\n"
        "{\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":1}\n");
  // 12:01:30: [12:00, 12:02) is emitted, [12:01, 12:03) is open.
  added(engine, R"({})", kBase + kMinute + 30 * kSecond);
  // 12:00:59: both of its windows are emitted.
  late(engine, R"({})", kBase + 59 * kSecond);
  CHECK(finish(engine) ==
        "{\"window_start\":\"2024-03-01T12:01:00.000Z\",\"n\":2}\n"
        "{\"window_start\":\"2024-03-01T12:02:00.000Z\",\"n\":1}\n");
}

TEST_CASE("window: finish() emits every open window, next_end() follows the earliest") {
  Engine engine = make_engine(hopping("10s/5s"), {"g"}, "g, window_start, count(*) AS n");
  CHECK_FALSE(engine.next_end().has_value());
  added(engine, R"({"g":1})", kBase + 7 * kSecond);  // [00:00, 00:10) and [00:05, 00:15)
  CHECK(*engine.next_end() == kBase + 10 * kSecond);
  added(engine, R"({"g":2})", kBase + 2 * kSecond);  // [-00:05, 00:05) and [00:00, 00:10)
  CHECK(*engine.next_end() == kBase + 5 * kSecond);
  CHECK(advance(engine, kBase + 5 * kSecond) ==
        "{\"g\":2,\"window_start\":\"2024-03-01T11:59:55.000Z\",\"n\":1}\n");
  CHECK(*engine.next_end() == kBase + 10 * kSecond);
  std::vector<std::string> lines = split_lines(finish(engine));
  REQUIRE(lines.size() == 3);
  CHECK(sorted({lines[0], lines[1]}) ==
        std::vector<std::string>{R"({"g":1,"window_start":"2024-03-01T12:00:00.000Z","n":1})",
                                 R"({"g":2,"window_start":"2024-03-01T12:00:00.000Z","n":1})"});
  CHECK(lines[2] == R"({"g":1,"window_start":"2024-03-01T12:00:05.000Z","n":1})");
  CHECK_FALSE(engine.next_end().has_value());
}

// ---- select ------------------------------------------------------------------------------------

TEST_CASE("window: select parses group fields, window bounds and aggregates with AS names") {
  std::vector<Field> by = fields({"Name"});
  std::vector<SelectItem> items = parse_select(
      "Name, window_start AS StatusTime, sum(Distance) AS Distance, count(*), percentile(x, 0.95), "
      "window_end, "
      "min(MagicPoints), count(y) AS cy",
      by);
  REQUIRE(items.size() == 8);
  CHECK(items[0].kind == SelectItem::Kind::group_field);
  CHECK(items[0].name == "Name");
  CHECK(items[0].group_index == 0);
  CHECK(items[1].kind == SelectItem::Kind::window_start);
  CHECK(items[1].name == "StatusTime");
  CHECK(items[2].kind == SelectItem::Kind::aggregate);
  CHECK(items[2].name == "Distance");
  REQUIRE(items[2].aggregate != nullptr);
  CHECK(items[2].aggregate->name == "sum");
  REQUIRE(items[2].field.has_value());
  CHECK(items[2].field->spec() == "Distance");
  CHECK(items[3].kind == SelectItem::Kind::aggregate);
  CHECK(items[3].name == "count(*)");
  REQUIRE(items[3].aggregate != nullptr);
  CHECK(items[3].aggregate->arity == 0);
  CHECK_FALSE(items[3].field.has_value());
  CHECK(items[4].name == "percentile(x, 0.95)");
  REQUIRE(items[4].aggregate != nullptr);
  CHECK(items[4].aggregate->name == "percentile");
  CHECK(items[4].parameter == doctest::Approx(0.95));
  CHECK(items[4].field->spec() == "x");
  CHECK(items[5].kind == SelectItem::Kind::window_end);
  CHECK(items[5].name == "window_end");
  CHECK(items[6].name == "min(MagicPoints)");
  CHECK(items[6].aggregate->name == "min");
  CHECK(items[7].name == "cy");
  CHECK(items[7].aggregate->name == "count");
  CHECK(items[7].aggregate->arity == 1);
  CHECK(make_accumulators(items).size() == 5);
}

TEST_CASE("window: select takes the second of several --by fields, and pointers") {
  std::vector<Field> by = fields({"a", "/b/c"});
  std::vector<SelectItem> items = parse_select("/b/c, a AS first_key, sum(/d/e)", by);
  REQUIRE(items.size() == 3);
  CHECK(items[0].kind == SelectItem::Kind::group_field);
  CHECK(items[0].group_index == 1);
  CHECK(items[0].name == "/b/c");
  CHECK(items[1].group_index == 0);
  CHECK(items[1].name == "first_key");
  CHECK(items[2].name == "sum(/d/e)");
  CHECK(items[2].field->pointer() == "/d/e");
}

TEST_CASE("window: select errors are usage errors naming what is wrong") {
  // An unknown aggregate.
  CHECK(select_error("median(x)").find("median") != std::string::npos);
  // A wrong number of arguments.
  for (std::string_view text :
       {"sum(a, b)", "sum()", "percentile(x)", "p50(x, 0.5)", "count(a, b)", "min(*)"}) {
    CAPTURE(text);
    CHECK(select_error(text) != "parsed");
  }
  // A field that is not a --by field.
  CHECK(select_error("Name, Other").find("Other") != std::string::npos);
  CHECK(select_error("Name", {}) != "parsed");
  // Duplicate output names.
  CHECK(select_error("count(*) AS n, sum(v) AS n").find("n") != std::string::npos);
  CHECK(select_error("Name, Name") != "parsed");
  CHECK(select_error("window_start, max(t) AS window_start") != "parsed");
  CHECK(select_error("sum(v), sum(v)") != "parsed");
  // Percentile q outside (0, 1].
  for (std::string_view text :
       {"percentile(x, 0)", "percentile(x, 1.5)", "percentile(x, -0.1)", "percentile(x, abc)"}) {
    CAPTURE(text);
    CHECK(select_error(text) != "parsed");
  }
  CHECK(select_error("percentile(x, 1)") == "parsed");
  // An empty item.
  CHECK(select_error("Name,,count(*)") != "parsed");
}
