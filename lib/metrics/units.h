// Units: CloudWatch's units as a reader wants them, for the charts' axes, legends and sparklines.
//
// Bytes count in binary multiples (KiB, MiB, GiB), as `ls -h` and lines::parse_size do; times
// move up from ms to s, min and h as they grow; counts take SI letters (12.3k, 4.5M). An axis
// has nice round ticks: 1, 2 or 5 times a power of ten in the unit it is shown in.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace millrace::metrics {

// How values of a unit are shown: divided by `divisor`, followed by `suffix` ("", "k", " MiB",
// " ms").
struct DisplayUnit {
  double divisor;
  std::string suffix;
};

// The display unit for values whose greatest magnitude is `magnitude`. Bytes and Bytes/Second:
// the largest binary multiple not above it; Milliseconds: ms below a second, s below two
// minutes, min below two hours, else h (Seconds and Microseconds alike); Count, Count/Second,
// None and other units: SI multiples of 1000 (other units followed by their name); Percent: %.
DisplayUnit display_unit(std::string_view unit, double magnitude);

// One value, with three significant digits at most and no trailing zeros: "1.5 MiB", "250 ms",
// "12.3k", "0", "-4".
std::string format_value(double value, std::string_view unit);

// A value axis: from `low` to `high`, with ticks every `step` and their labels.
struct ValueAxis {
  double low = 0, high = 1;
  std::vector<double> ticks;        // low, low + step, ..., high
  std::vector<std::string> labels;  // one per tick
};

// The axis covering [min, max] with the fewest ticks of the nicest step (1, 2 or 5 times a power
// of ten, in the display unit of the larger magnitude) that needs no more than `max_ticks`
// ticks (at least 2). Values that are all at least 0 start at 0, as rates and counts do; an
// empty range (min == max) becomes one step wide.
ValueAxis value_axis(double min, double max, int max_ticks, std::string_view unit);

}  // namespace millrace::metrics
