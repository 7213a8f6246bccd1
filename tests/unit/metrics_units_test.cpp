#include "metrics/units.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace millrace::metrics;

TEST_CASE("a value is shown in the unit its size calls for, with three significant digits at most") {
  CHECK(format_value(0, "Count") == "0");
  CHECK(format_value(999, "Count") == "999");
  CHECK(format_value(12345, "Count") == "12.3k");     // 12.345 thousands, one decimal from 10
  CHECK(format_value(4'500'000, "Count") == "4.5M");  // trailing zeros dropped
  CHECK(format_value(-4, "Count") == "-4");
  CHECK(format_value(1536, "Bytes") == "1.5 KiB");    // binary multiples: 1536 / 1024
  CHECK(format_value(1023, "Bytes") == "1023 B");
  CHECK(format_value(3 * 1024.0 * 1024 * 1024, "Bytes") == "3 GiB");
  CHECK(format_value(2.5 * 1024 * 1024, "Bytes/Second") == "2.5 MiB/s");
  CHECK(format_value(250, "Milliseconds") == "250 ms");
  CHECK(format_value(1500, "Milliseconds") == "1.5 s");
  CHECK(format_value(90'000, "Milliseconds") == "90 s");      // seconds up to two minutes
  CHECK(format_value(150'000, "Milliseconds") == "2.5 min");
  CHECK(format_value(3 * 3600'000.0, "Milliseconds") == "3 h");
  CHECK(format_value(0.25, "Seconds") == "250 ms");
  CHECK(format_value(42, "Percent") == "42%");
  CHECK(format_value(1200, "Count/Second") == "1.2k/s");
  CHECK(format_value(7, "Widgets") == "7 Widgets");
}

TEST_CASE("a value axis has nice round ticks in the display unit, from 0 for values that are not negative") {
  // Bytes up to 3.2 MiB in at most 5 ticks: in MiB, steps 0.5 needs 7 intervals, 1 needs 4.
  ValueAxis bytes = value_axis(100, 3.2 * 1024 * 1024, 5, "Bytes");
  CHECK(bytes.low == 0);
  CHECK(bytes.high == 4.0 * 1024 * 1024);
  CHECK(bytes.labels == std::vector<std::string>{"0 MiB", "1 MiB", "2 MiB", "3 MiB", "4 MiB"});
  CHECK(bytes.ticks[1] == 1024.0 * 1024);
  // Milliseconds up to 2.5 s in at most 4 ticks: in seconds, step 1 needs 3 intervals.
  ValueAxis time = value_axis(0, 2500, 4, "Milliseconds");
  CHECK(time.labels == std::vector<std::string>{"0 s", "1 s", "2 s", "3 s"});
  CHECK(time.high == 3000);
  // A step below 1 shows the decimals it needs on every label.
  ValueAxis fraction = value_axis(0, 1, 3, "Count");
  CHECK(fraction.labels == std::vector<std::string>{"0.0", "0.5", "1.0"});
  // Negative values: both ends a whole number of steps from 0 (-3..7 in 6 ticks: step 2 needs
  // -4..8, 6 intervals; step 5 needs -5..10, 3).
  ValueAxis both = value_axis(-3, 7, 6, "Count");
  CHECK(both.labels == std::vector<std::string>{"-5", "0", "5", "10"});
  // Counts in thousands.
  CHECK(value_axis(0, 45'000, 6, "Count").labels == std::vector<std::string>{"0k", "10k", "20k", "30k", "40k", "50k"});
  // Nothing but zeros: one step wide.
  ValueAxis zeros = value_axis(0, 0, 2, "Count");
  CHECK(zeros.low == 0);
  CHECK(zeros.high == 1);
}
