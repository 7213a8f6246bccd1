// The `metrics` database: its keys and values, written and read here only. DO NOT CHANGE
// without a migration: it is the on-disk layout (millrace(7)).
//
// Every key begins with a tag byte:
//   'p'  a point, a metric's statistic set of one minute:
//          'p', namespace, 0, metric name, 0, the dimension count (1 byte), then each
//          dimension's name, 0, value, 0, in the order of their names; then the minute (4 bytes,
//          minutes since the Unix epoch, big-endian).
//        Everything before the minute is the metric's series prefix: a cursor walks a
//        metric's minutes in time order, and the metrics of a namespace, and of a name, in
//        the order of their names. Names and values hold no zero byte, so a prefix is no
//        other metric's prefix. Value: the layout (1 byte, 1), the unit (1 byte, metric.h),
//        then the sum, the sample count, the minimum and the maximum as IEEE 754 doubles,
//        big-endian: 34 bytes.
//   'v'  a value of a dimension taken from data (metrics/dimension_values.h):
//          'v', dimension name, 0, value, 0 → the last minute a point of it was written (4 bytes).
//   't'  a metric's total, every sample since it was first recorded (gw-serve's Prometheus
//        counters, which must never go down): 't', then the series prefix without its tag →
//        a point's value. Retention removes a total with the last point of its series.
//   '~'  "~sweep" → the key at which the next retention step starts (metrics/retention.h).
// The metrics millrace records have short names and at most 3 dimensions whose values are
// names of at most 128 bytes (store/names.h) or a bucket's name and a group: their keys stay
// well within LMDB's 511 bytes. The recorder refuses a metric whose key would be longer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "metrics/metric.h"

namespace millrace::metrics::layout {

inline constexpr char kPointTag = 'p';
inline constexpr char kValueTag = 'v';
inline constexpr char kTotalTag = 't';
inline constexpr std::string_view kSweepKey = "~sweep";
inline constexpr std::uint8_t kPointLayout = 1;
inline constexpr std::size_t kMinuteBytes = 4;
inline constexpr std::size_t kPointBytes = 1 + 1 + 4 * 8;
inline constexpr std::size_t kMaxKeyBytes = 511;  // LMDB's

// Minutes since the Unix epoch; times before it are minute 0.
using Minute = std::uint32_t;
inline constexpr lines::EpochMs kMinuteMs = 60'000;
inline Minute minute_of(lines::EpochMs ms) { return ms <= 0 ? 0 : static_cast<Minute>(ms / kMinuteMs); }
inline lines::EpochMs start_of(Minute minute) { return static_cast<lines::EpochMs>(minute) * kMinuteMs; }

// The series prefix of a metric. REQUIRES: !id.problem().
std::string series_prefix(const MetricId& id);
// The prefix of every point of a namespace (empty: of every metric), and of a metric name in it.
std::string namespace_prefix(std::string_view ns);
std::string name_prefix(std::string_view ns, std::string_view name);
// A key past every point of the series `prefix`: where a cursor seeks to skip the series.
std::string past_series(std::string_view prefix);

// A point's key: the series prefix, then the minute.
void append_minute(std::string& key, Minute minute);
// Whether `key` is a point's key.
inline bool is_point(std::string_view key) { return !key.empty() && key.front() == kPointTag; }
// The series prefix and the minute of a point's key. Throws cli::Error(unavailable) for a
// key that is not one (a corrupt store).
std::string_view point_series(std::string_view key);
Minute point_minute(std::string_view key);
// The metric of a series prefix. Throws cli::Error(unavailable) for a corrupt one.
MetricId decode_series(std::string_view prefix);

// The key of the total of the series `prefix`, and the series prefix of a total's key.
std::string total_key(std::string_view prefix);
std::string total_series(std::string_view key);
inline bool is_total(std::string_view key) { return !key.empty() && key.front() == kTotalTag; }

// A point's value.
struct Point {
  Unit unit = Unit::none;
  StatisticSet set;
};
void encode_point(char* out, const Point& point);  // writes kPointBytes
// Throws cli::Error(unavailable) for a value that is not a point's (a corrupt store).
Point decode_point(std::string_view value);

// The key of a dimension's value, and the prefix of every value of a dimension.
std::string value_key(std::string_view dimension, std::string_view value);
std::string value_prefix(std::string_view dimension);
inline bool is_value(std::string_view key) { return !key.empty() && key.front() == kValueTag; }

}  // namespace millrace::metrics::layout
