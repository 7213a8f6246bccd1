// The bounds on what ks-window holds (lib/window/engine.h): windows per record and open groups.
// Expected values are worked out by hand from the header and ks-window(1), MEMORY.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/error.h"
#include "window/engine.h"
#include "window_engine_fixture.h"

using namespace millrace::test;
using millrace::cli::Error;
using millrace::cli::Exit;

namespace {

constexpr EpochMs kDay = 24 * 60 * kMinute;

// The message of the usage error `make` throws, or "accepted".
template <class Make>
std::string usage_error(Make make) {
  try {
    make();
  } catch (const Error& e) {
    CHECK(e.status() == Exit::usage);
    return e.what();
  }
  return "accepted";
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Engine::Added status(Engine& engine, std::string_view json, EpochMs time) { return add(engine, json, time).status; }

}  // namespace

// ---- windows per record ------------------------------------------------------------------------

TEST_CASE("bounds: --hopping takes up to 10,080 windows per record (7d/1m), and refuses more") {
  CHECK(WindowSpec::kMaxWindowsPerRecord == 7 * 24 * 60);
  WindowSpec week = WindowSpec::hopping("7d/1m");
  CHECK(week.windows_per_record() == 10'080);
  CHECK(WindowSpec::hopping("1d/1m").windows_per_record() == 1'440);
  // 7 days of 1 ms: 7 * 86,400,000 windows; the message gives the ratio and the bound.
  std::string refused = usage_error([] { WindowSpec::hopping("7d/1ms"); });
  CAPTURE(refused);
  CHECK(contains(refused, "604800000 windows"));
  CHECK(contains(refused, "10080"));
  // One step past the bound: a week by 30 seconds is 20,160.
  CHECK(contains(usage_error([] { WindowSpec::hopping("7d/30s"); }), "20160 windows"));
  CHECK(usage_error([] { WindowSpec::hopping("10080m/1m"); }) == "accepted");
  CHECK(usage_error([] { WindowSpec::hopping("10081m/1m"); }) != "accepted");
}

TEST_CASE("bounds: an engine refuses a window shape past the bound however it was made") {
  WindowSpec raw{WindowSpec::Kind::hopping, 7 * kDay, 1, 0};
  std::string refused = usage_error([&] { make_engine(raw, {}, "count(*)"); });
  CHECK(contains(refused, "604800000 windows"));
  CHECK(usage_error([] { WindowSpec::tumbling(0); }) != "accepted");
  CHECK(usage_error([] { WindowSpec::session(-1); }) != "accepted");
  CHECK(usage_error([] { make_engine({WindowSpec::Kind::tumbling, 0, 0, 0}, {}, "count(*)"); }) != "accepted");
}

TEST_CASE("bounds: at the bound, a record is in every one of its 10,080 windows") {
  Engine engine = make_engine(hopping("7d/1m"), {}, "count(*) AS n");
  added(engine, R"({})", kBase);
  CHECK(engine.open_groups() == 10'080);
  std::vector<std::string> lines = split_lines(finish(engine));
  CHECK(lines.size() == 10'080);
  CHECK(lines.front() == R"({"n":1})");
  CHECK(engine.open_groups() == 0);
}

// ---- open groups -------------------------------------------------------------------------------

TEST_CASE("bounds: tumbling: a record that would open a group past max_groups is refused, the rest go on") {
  Engine engine = make_engine(tumbling(kMinute), {"g"}, "g, window_start, count(*) AS n", 2);
  CHECK(engine.max_groups() == 2);
  added(engine, R"({"g":"a"})", kBase);
  added(engine, R"({"g":"b"})", kBase + kSecond);
  CHECK(status(engine, R"({"g":"c"})", kBase + 2 * kSecond) == Engine::Added::too_many_groups);
  CHECK(engine.open_groups() == 2);
  added(engine, R"({"g":"a"})", kBase + 3 * kSecond);  // a group already open takes records
  // Emitting the window frees its groups: c fits in the next one.
  CHECK(advance(engine, kBase + kMinute) ==
        "{\"g\":\"a\",\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":2}\n"
        "{\"g\":\"b\",\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":1}\n");
  CHECK(engine.open_groups() == 0);
  added(engine, R"({"g":"c"})", kBase + kMinute);
  CHECK(finish(engine) == "{\"g\":\"c\",\"window_start\":\"2024-03-01T12:01:00.000Z\",\"n\":1}\n");
}

TEST_CASE("bounds: tumbling: max_groups counts the groups of every open window") {
  // With a long lateness, windows stay open: one key in three windows is three groups.
  Engine engine = make_engine(tumbling(1), {}, "count(*) AS n", 3);
  added(engine, R"({})", kBase);
  added(engine, R"({})", kBase + 1);
  added(engine, R"({})", kBase + 2);
  CHECK(status(engine, R"({})", kBase + 3) == Engine::Added::too_many_groups);
  added(engine, R"({})", kBase + 1);
  CHECK(split_lines(finish(engine)) == std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":1})"});
}

TEST_CASE("bounds: hopping: a record is refused whole when its windows would open groups past max_groups") {
  Engine engine = make_engine(hopping("2m/1m"), {"g"}, "g, window_start, count(*) AS n", 3);
  added(engine, R"({"g":"a"})", kBase + 30 * kSecond);  // [11:59, 12:01) and [12:00, 12:02): 2 groups
  // b would open 2 more: 4 > 3. It is in neither window.
  CHECK(status(engine, R"({"g":"b"})", kBase + 30 * kSecond) == Engine::Added::too_many_groups);
  CHECK(engine.open_groups() == 2);
  // a at 12:01:30: [12:00, 12:02) has a group of a, [12:01, 12:03) opens one: 3.
  added(engine, R"({"g":"a"})", kBase + kMinute + 30 * kSecond);
  CHECK(engine.open_groups() == 3);
  CHECK(advance(engine, kBase + kMinute) ==
        "{\"g\":\"a\",\"window_start\":\"2024-03-01T11:59:00.000Z\",\"n\":1}\n");
  // b at 12:00:30: [11:59, 12:01) is emitted, so it opens one group, in [12:00, 12:02).
  added(engine, R"({"g":"b"})", kBase + 30 * kSecond);
  CHECK(engine.open_groups() == 3);
  CHECK(finish(engine) ==
        "{\"g\":\"a\",\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":2}\n"
        "{\"g\":\"b\",\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":1}\n"
        "{\"g\":\"a\",\"window_start\":\"2024-03-01T12:01:00.000Z\",\"n\":1}\n");
}

TEST_CASE("bounds: sessions: each open session is a group; merged sessions free one") {
  Engine engine = make_engine(session(10 * kSecond), {"u"}, "u, window_start, window_end, count(*) AS n", 3);
  added(engine, R"({"u":"a"})", kBase);
  added(engine, R"({"u":"a"})", kBase + 15 * kSecond);  // 15 s after: a second session of a
  added(engine, R"({"u":"b"})", kBase + 1 * kSecond);
  CHECK(status(engine, R"({"u":"c"})", kBase + 2 * kSecond) == Engine::Added::too_many_groups);
  added(engine, R"({"u":"b"})", kBase + 3 * kSecond);  // joins b's session: no new group
  // 00:08 is within the gap of both sessions of a: they merge into [00:00, 00:25).
  added(engine, R"({"u":"a"})", kBase + 8 * kSecond);
  CHECK(engine.open_groups() == 2);
  added(engine, R"({"u":"c"})", kBase + 2 * kSecond);
  CHECK(finish(engine) ==
        "{\"u\":\"c\",\"window_start\":\"2024-03-01T12:00:02.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:12.000Z\",\"n\":1}\n"
        "{\"u\":\"b\",\"window_start\":\"2024-03-01T12:00:01.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:13.000Z\",\"n\":2}\n"
        "{\"u\":\"a\",\"window_start\":\"2024-03-01T12:00:00.000Z\",\"window_end\":\"2024-03-01T12:"
        "00:25.000Z\",\"n\":3}\n");
  CHECK(engine.open_groups() == 0);
}

TEST_CASE("bounds: windows between two records far apart are not opened") {
  // A year of 1 ms windows is 3.2e10 of them: only the two that hold a record exist.
  Engine engine = make_engine(tumbling(1), {}, "window_start, count(*) AS n", 2);
  added(engine, R"({})", kBase);
  added(engine, R"({})", kBase + 365 * kDay);
  CHECK(engine.open_groups() == 2);
  CHECK(*engine.next_end() == kBase + 1);
  CHECK(advance(engine, kBase + 365 * kDay) == "{\"window_start\":\"2024-03-01T12:00:00.000Z\",\"n\":1}\n");
  CHECK(*engine.next_end() == kBase + 365 * kDay + 1);
  CHECK(engine.open_groups() == 1);
}
