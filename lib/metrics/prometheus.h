// Prometheus: the store's metrics as the Prometheus text format (version 0.0.4), for gw-serve's
// GET /metrics.
//
// A CloudWatch metric becomes a family named after its namespace and name, snake case, with its
// dimensions as labels:
//   AWS/Kinesis IncomingRecords StreamName=rides
//     → aws_kinesis_incoming_records_total{stream_name="rides"}
// by its unit:
//   - Count: a counter, `_total`, the sum of every sample since recording began;
//   - Bytes: a counter in bytes, `_bytes_total`;
//   - Milliseconds and Seconds: a summary in seconds (Prometheus' base unit), `_seconds_sum` and
//     `_seconds_count`, of every sample since recording began ("Milliseconds" in a name becomes
//     "seconds": GetRecords.IteratorAgeMilliseconds is aws_kinesis_get_records_iterator_age_seconds);
//   - anything else: a summary, `_sum` and `_count`.
// Counters never go down while their metric is recorded: they are totals kept beside the minutes
// (metrics/layout.h), which retention removes only with the last minute of their metric, after
// 15 idle days; the counter then starts again from zero, as after an exporter's restart. Each family has its HELP and TYPE lines, and the text passes
// `promtool check metrics`.
#pragma once

#include <span>
#include <string>

#include "metrics/metric.h"

namespace millrace::metrics {

struct Exposed {
  MetricId id;
  Unit unit;
  StatisticSet total;  // every sample since recording began
};

// The family name of a metric of `unit`: "aws_kinesis_incoming_records_total".
std::string prometheus_name(const MetricId& id, Unit unit);

// The text of `metrics`, sorted by namespace, name and dimensions (as list_metrics gives them).
std::string prometheus_text(std::span<const Exposed> metrics);

}  // namespace millrace::metrics
