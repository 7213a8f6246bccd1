// Metric: what CloudWatch calls a metric, and the statistic set it keeps of each minute.
//
// A metric is identified, as in CloudWatch, by its namespace ("AWS/Kinesis"), its name
// ("IncomingRecords") and its dimensions (name=value pairs, "StreamName=rides"), the order of
// the dimensions aside: MetricId keeps them sorted by name. Its unit is not part of its
// identity; it is stored with each minute's values. A minute's values are a statistic set:
// the sum, the sample count, the minimum and the maximum of the samples recorded in it, from
// which every statistic of CloudWatch but the percentiles is derived, over any number of
// minutes.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::metrics {

// CloudWatch's units that millrace records. The numbers are stored: DO NOT CHANGE them.
enum class Unit : std::uint8_t { none = 0, count = 1, bytes = 2, milliseconds = 3, seconds = 4 };
// CloudWatch's name of the unit: "Count", "Bytes", "Milliseconds", "Seconds", "None".
std::string_view unit_name(Unit unit);
// The unit of a stored number; nullopt for one this millrace does not know.
std::optional<Unit> unit_of(std::uint8_t stored);

struct Dimension {
  std::string name, value;
  friend bool operator==(const Dimension&, const Dimension&) = default;
};

// CloudWatch's limits, which also keep a metric's key within LMDB's 511 bytes (metrics/layout.h):
// names and values of at most 255 bytes, and at most 10 dimensions (CloudWatch allows 30, and
// millrace records at most 3).
inline constexpr std::size_t kMaxNameBytes = 255;
inline constexpr std::size_t kMaxDimensions = 10;

struct MetricId {
  std::string ns;    // the namespace
  std::string name;  // the metric name
  std::vector<Dimension> dimensions;  // sorted by name, each name once

  // A metric of these dimensions in any order; sorts them.
  MetricId(std::string ns, std::string name, std::vector<Dimension> dimensions = {});
  MetricId() = default;

  // The value of the dimension `name`, or nullptr.
  const std::string* dimension(std::string_view name) const;
  // What makes the id unusable: a name or value empty, over kMaxNameBytes or holding a zero
  // byte, a dimension named twice, too many dimensions; nullopt when it is fine.
  std::optional<std::string> problem() const;
  // "IncomingRecords StreamName=rides ShardId=shardId-000000000000": the name, then the dimensions.
  std::string label() const;

  friend bool operator==(const MetricId&, const MetricId&) = default;
};

// CloudWatch's statistic set (StatisticValues): of the samples of a minute, or of the minutes
// of a period.
struct StatisticSet {
  double sum = 0;
  double sample_count = 0;
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -std::numeric_limits<double>::infinity();

  bool empty() const { return sample_count == 0; }
  void add(double value) {
    sum += value;
    sample_count += 1;
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
  }
  // The set of the samples of both.
  void merge(const StatisticSet& other) {
    sum += other.sum;
    sample_count += other.sample_count;
    if (other.minimum < minimum) minimum = other.minimum;
    if (other.maximum > maximum) maximum = other.maximum;
  }
  friend bool operator==(const StatisticSet&, const StatisticSet&) = default;
};

// The statistics of a statistic set, by CloudWatch's names.
enum class Statistic { sum, average, minimum, maximum, sample_count };
inline const std::vector<std::pair<std::string, Statistic>> kStatistics = {{"Sum", Statistic::sum},
                                                                           {"Average", Statistic::average},
                                                                           {"Minimum", Statistic::minimum},
                                                                           {"Maximum", Statistic::maximum},
                                                                           {"SampleCount", Statistic::sample_count}};
std::string_view statistic_name(Statistic statistic);  // "Sum", "Average", ..., "SampleCount"
std::optional<Statistic> parse_statistic(std::string_view name);
// The statistic of a set that is not empty.
double value_of(const StatisticSet& set, Statistic statistic);

}  // namespace millrace::metrics
