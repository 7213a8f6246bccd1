// Stats: the engine of cw-stats. The store's metrics as CloudWatch's ListMetrics and
// GetMetricData give them, for people (a table on a terminal) and for programs (JSON lines, or
// one JSON document of the API's shape).
//
// A query names metrics as ListMetrics filters them (--namespace, --metric, --dimension); for
// their values (not --list), a metric has the dimensions named and no others, as GetMetricData
// names a metric by all of its dimensions: `--dimension StreamName=rides` is the stream's
// IncomingRecords, `--dimension StreamName=rides --dimension ShardId` each of its shards'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lines/time.h"
#include "lines/writer.h"
#include "metrics/metric.h"
#include "metrics/query.h"
#include "store/env.h"

namespace millrace::metrics {

// How the answer is written: a table (for a terminal), JSON lines (one per metric and period,
// or per metric with --list), or one document as the API answers (--json).
enum class Output { table, lines, api };

struct StatsOptions {
  Selector selector;
  std::optional<Statistic> statistic;  // nullopt: default_statistic() of each metric
  Range range;
  bool list = false;
  Output output = Output::lines;
};

// A --dimension argument: NAME=VALUE, or NAME for any value. Throws cli::Error(usage).
Selector::Wanted dimension_argument(const std::string& text);
// A --since argument: a duration before `now`, or an ISO 8601 time. Throws cli::Error(usage).
lines::EpochMs since_argument(const std::string& text, lines::EpochMs now);
// A --until argument: an ISO 8601 time. Throws cli::Error(usage).
lines::EpochMs until_argument(const std::string& text);
// A --period argument, in ms: whole minutes, from 1m to 1d. Throws cli::Error(usage).
std::int64_t period_argument(std::int64_t ms);
// The range of periods from `since` to `until`: the first period begins at or before `since`.
Range range_of(lines::EpochMs since, lines::EpochMs until, std::int64_t period_ms);

// The statistic shown of a metric of `unit` when none is asked: the Sum of counts and bytes,
// the Average of times.
Statistic default_statistic(Unit unit);

// The values of a metric that a query selects: each period's statistic, in time order.
struct MetricValues {
  ListedMetric metric;
  Statistic statistic;
  std::vector<Datapoint> points;
};

// The values `options` ask for (its selector, statistic and range; not --list), at `now`, a
// metric each, in ListMetrics' order. Throws cli::Error(no_input) when no metric matches.
std::vector<MetricValues> read_values(const store::Txn& txn, const StatsOptions& options, lines::EpochMs now);

// The values as the table a terminal shows: a row per period that has a value (its start, ISO
// 8601 in UTC), a column per metric headed by its label, statistic and unit.
std::string values_table(const std::vector<MetricValues>& values);

// Writes what `options` ask of the store's metrics at `now` to `out`. Throws cli::Error(no_input)
// when no metric matches a query for values (a --list of none is empty).
void run_stats(store::Env& env, const StatsOptions& options, lines::EpochMs now, lines::Writer& out);

}  // namespace millrace::metrics
