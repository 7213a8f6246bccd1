#include "lines/time.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <thread>

using namespace millrace::lines;

TEST_CASE("ISO 8601 times parse to epoch milliseconds") {
  // 2026-11-23T10:00:00Z = 1795428000 s (date -ud 2026-11-23T10:00:00Z +%s).
  CHECK(parse_iso8601("2026-11-23T10:00:00Z") == 1795428000000);
  CHECK(parse_iso8601("2026-11-23T10:00:00.123Z") == 1795428000123);
  CHECK(parse_iso8601("2026-11-23T10:00:00.1239Z") == 1795428000123);
  CHECK(parse_iso8601("2026-11-23T12:00:00+02:00") == 1795428000000);
  CHECK(parse_iso8601("2026-11-23T05:30:00-0430") == 1795428000000);
  CHECK(parse_iso8601("2026-11-23 10:00") == 1795428000000);
  CHECK(parse_iso8601("2026-11-23") == 1795392000000);
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK_FALSE(parse_iso8601("2026-02-30"));
  CHECK_FALSE(parse_iso8601("2026-11-23T25:00"));
  CHECK_FALSE(parse_iso8601("2026-11-23T10:00:00Zjunk"));
  CHECK_FALSE(parse_iso8601("yesterday"));
}

TEST_CASE("times format as ISO 8601 UTC with milliseconds") {
  CHECK(format_iso8601(1795428000123) == "2026-11-23T10:00:00.123Z");
  CHECK(format_iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(parse_iso8601(format_iso8601(951782400007)) == 951782400007);  // 2000-02-29
}

TEST_CASE("epoch numbers are seconds below 10^11, else milliseconds") {
  CHECK(parse_epoch_number(1545084650.987) == 1545084650987);
  CHECK(parse_epoch_number(1545084650987.0) == 1545084650987);
}

TEST_CASE("durations and sizes") {
  CHECK(parse_duration_ms("250ms") == 250);
  CHECK(parse_duration_ms("10s") == 10000);
  CHECK(parse_duration_ms("5m") == 300000);
  CHECK(parse_duration_ms("2h") == 7200000);
  CHECK(parse_duration_ms("7d") == 604800000);
  CHECK_FALSE(parse_duration_ms("10"));
  CHECK_FALSE(parse_duration_ms("1.5h"));
  CHECK_FALSE(parse_duration_ms("h"));
  CHECK(format_duration(86400000) == "1d");
  CHECK(format_duration(90 * 60000) == "90m");
  CHECK(format_duration(1500) == "1500ms");
  CHECK(parse_size("512KiB") == 512u * 1024);
  CHECK(parse_size("5MiB") == 5u << 20);
  CHECK(parse_size("1GiB") == 1u << 30);
  CHECK(parse_size("100") == 100u);
  CHECK_FALSE(parse_size("5MB"));
}

TEST_CASE("ISO 8601 times in the usual form Thh:mm:ss.mmmZ are checked as any other") {
  // 2026-11-23T10:00:00Z = 1795428000 s, as above.
  CHECK(parse_iso8601("2026-11-23T10:00:00.123Z") == 1795428000123);
  CHECK(parse_iso8601("2026-11-23T23:59:59.999Z") == 1795428000000 + 14 * 3600000 - 1);
  CHECK(parse_iso8601("2026-11-23T09:59:60.000Z") == 1795428000000);  // a leap second: the next second
  CHECK(parse_iso8601("2026-11-23t10:00:00.123z") == 1795428000123);  // lower case: the general path
  CHECK(parse_iso8601("2026-11-23T10:00:00,123Z") == 1795428000123);
  for (const char* bad : {"2026-11-23T24:00:00.000Z", "2026-11-23T10:60:00.000Z", "2026-11-23T10:00:61.000Z",
                          "2026-11-23T1:000:00.000Z", "2026-11-23T10:0a:00.000Z", "2026-11-23T10:00:00.0a0Z",
                          "2026-11-23T10:00:00.000X", "2026-11-23T10:00:00:000Z", "2026-11-23X10:00:00.000Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso8601(bad));
  }
}

TEST_CASE("a text that is not a date is refused on a thread that has read no date yet") {
  // Ten NUL bytes (JSON's "\u0000" ten times) once matched the empty cache of the last date.
  std::optional<EpochMs> nul, nul_time;
  std::thread fresh([&] {
    nul = parse_iso8601(std::string(10, '\0'));
    nul_time = parse_iso8601(std::string(10, '\0') + "T10:00:00.000Z");
  });
  fresh.join();
  CHECK_FALSE(nul);
  CHECK_FALSE(nul_time);
}
