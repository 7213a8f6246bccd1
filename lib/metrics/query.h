// Query: the metrics read back, as CloudWatch's ListMetrics and GetMetricData read them. Used by
// cw-stats, and by whatever else shows them (charts, gw-serve's CloudWatch API).
//
// Points older than the retention (metrics/retention.h) are never read, trimmed or not yet.
// Periods are whole minutes aligned on multiples of the period since the Unix epoch (an hour's
// period starts on the hour); a period without points is left out, as CloudWatch leaves it.
// All functions read in the transaction given; any transaction will do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lines/time.h"
#include "metrics/metric.h"
#include "store/env.h"

namespace millrace::metrics {

// Which metrics, as ListMetrics' filter: a namespace, a metric name (empty: any), and
// dimensions that must be among the metric's, each with its value when one is given.
struct Selector {
  struct Wanted {
    std::string name;
    std::optional<std::string> value;  // nullopt: any value
  };
  std::string ns, name;
  std::vector<Wanted> dimensions;
  // Besides, the metric has no other dimensions (GetMetricData names a metric by all of them).
  bool only_these = false;

  bool matches(const MetricId& id) const;
};

struct ListedMetric {
  MetricId id;
  Unit unit;  // of its latest point
};

// The metrics with points kept at `now` that `selector` selects, sorted by namespace, name and
// dimensions.
std::vector<ListedMetric> list_metrics(const store::Txn& txn, const Selector& selector, lines::EpochMs now);

// A time range cut in periods: [start, end), periods of period_ms (a multiple of a minute).
struct Range {
  lines::EpochMs start = 0, end = 0;
  std::int64_t period_ms = 60'000;
};

// The statistic set of each period of `range` that has points of `id`, in time order, with the
// period's start, at `now`.
std::vector<std::pair<lines::EpochMs, StatisticSet>> read_periods(const store::Txn& txn, const MetricId& id,
                                                                  const Range& range, lines::EpochMs now);

// Every sample of `id` since it was first recorded, retention aside (metrics/layout.h's totals);
// an empty set for a metric never recorded.
StatisticSet read_total(const store::Txn& txn, const MetricId& id);

struct Datapoint {
  lines::EpochMs timestamp;  // the period's start
  double value;
};
// The statistic of each period of `range` that has points of `id`, in time order, at `now`.
std::vector<Datapoint> read_series(const store::Txn& txn, const MetricId& id, Statistic statistic, const Range& range,
                                   lines::EpochMs now);

}  // namespace millrace::metrics
