// Plot: the store's metrics as the chart renderers draw them (chart.h, svg.h, dashboard.h): the
// series, labels and title of a query's chart (`cw-stats --plot`, `--svg`), and the panels of
// the pipeline's dashboard (`cw-stats --dashboard`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lines/time.h"
#include "metrics/chart_series.h"
#include "metrics/dashboard.h"
#include "metrics/query.h"
#include "metrics/stats.h"
#include "store/env.h"

namespace millrace::metrics {

// "minute", "hour", "day", else the duration ("5m", "90m"): for "Sum per minute".
std::string period_words(std::int64_t period_ms);

// A metric's values as a chart's series labelled `label`: a point per period that has a value
// (a period without one is a gap, as in CloudWatch), in the unit of the statistic (Count for
// SampleCount).
ChartSeries chart_series(const MetricValues& values, std::int64_t period_ms, std::string label);

struct Plot {
  std::string title;
  std::vector<ChartSeries> series;
};

// The chart of a query's values. The title holds what every series shares, of the namespace,
// the metric name, the dimensions and the statistic, then the period ("AWS/Kinesis
// IncomingRecords, Sum per minute"); each series' label holds the rest ("StreamName=rides").
// A single series has the whole of its description as its title, and its label.
Plot plot_of(const std::vector<MetricValues>& values, std::int64_t period_ms);

// What the dashboard shows of each stage, and in what order: for each stream its incoming
// records and its consumers' iterator age, then each function's errors and duration, each
// Firehose delivery stream's records delivered, each table's consumed write capacity.
struct PanelKind {
  const char* ns;
  const char* name;
  const char* dimension;  // the only dimension of the metrics shown, whose value names the panel
  Statistic statistic;
  const char* caption;    // "rides: incoming records"
};
extern const std::vector<PanelKind> kPipelinePanels;

// The dashboard's panels over `range`: a panel for each metric of kPipelinePanels that has
// values kept at `now`, even none in `range` (it then says "no data"), titled by its dimension's
// value and the kind's caption. Sorted by stage (Kinesis, Lambda, Firehose, DynamoDB), then
// by the dimension's value, then in kPipelinePanels' order. Throws cli::Error(no_input) when
// there is none.
std::vector<Panel> pipeline_panels(const store::Txn& txn, const Range& range, lines::EpochMs now);

}  // namespace millrace::metrics
