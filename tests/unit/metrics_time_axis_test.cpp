#include "metrics/time_axis.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lines/time.h"

using namespace millrace::metrics;
using millrace::lines::parse_iso8601;

namespace {
std::int64_t at(const char* iso) { return *parse_iso8601(iso); }
}  // namespace

TEST_CASE("time ticks fall on round minutes, and the tick at midnight shows the date") {
  // 23:50 to 00:20, at most 4 ticks: every 1, 2 or 5 minutes would be 31, 16 or 7; every 10, 4.
  TimeAxis axis = time_axis(at("2026-03-14T23:50:00Z"), at("2026-03-15T00:20:00Z"), 4, 0);
  CHECK(axis.step_ms == 600'000);
  CHECK(axis.labels == std::vector<std::string>{"23:50", "03-15", "00:10", "00:20"});
  CHECK(axis.ticks[1] == at("2026-03-15T00:00:00Z"));
}

TEST_CASE("time ticks follow the reader's clock when an offset is given") {
  // The same range read an hour east of UTC: 00:50 to 01:20, no midnight inside.
  TimeAxis axis = time_axis(at("2026-03-14T23:50:00Z"), at("2026-03-15T00:20:00Z"), 4, 60);
  CHECK(axis.labels == std::vector<std::string>{"00:50", "01:00", "01:10", "01:20"});
  CHECK(axis.ticks[1] == at("2026-03-15T00:00:00Z"));  // 01:00 at +01:00
  // Half an hour off: ticks on the local round times, not UTC's.
  TimeAxis india = time_axis(at("2026-03-14T10:00:00Z"), at("2026-03-14T12:00:00Z"), 3, 330);
  CHECK(india.labels == std::vector<std::string>{"16:00", "17:00"});
  CHECK(india.ticks[0] == at("2026-03-14T10:30:00Z"));
}

TEST_CASE("ticks a day or more apart are dates, and ticks under a minute show seconds") {
  TimeAxis days = time_axis(at("2026-03-01T00:00:00Z"), at("2026-03-15T12:00:00Z"), 8, 0);
  CHECK(days.step_ms == 2 * 86'400'000);  // 1 day: 15 ticks; 2 days: 7, on the even days since 1970 (03-02 is day 20514)
  CHECK(days.labels.front() == "03-02");
  CHECK(days.labels.size() == 7);
  TimeAxis seconds = time_axis(at("2026-03-14T10:00:05Z"), at("2026-03-14T10:00:50Z"), 4, 0);
  CHECK(seconds.step_ms == 15'000);
  CHECK(seconds.labels == std::vector<std::string>{"10:00:15", "10:00:30", "10:00:45"});
}
