#include "metrics/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "cli/error.h"

namespace millrace::metrics {
namespace {

// The words a series is described by: namespace, name, each dimension, statistic.
std::vector<std::string> description(const MetricValues& values) {
  std::vector<std::string> words = {values.metric.id.ns, values.metric.id.name};
  for (const Dimension& d : values.metric.id.dimensions) words.push_back(d.name + "=" + d.value);
  words.emplace_back(statistic_name(values.statistic));
  return words;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text.append(text.empty() ? "" : " ").append(word);
  return text;
}

}  // namespace

const std::vector<PanelKind> kPipelinePanels = {
    {"AWS/Kinesis", "IncomingRecords", "StreamName", Statistic::sum, "incoming records"},
    {"AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", Statistic::maximum, "iterator age, max"},
    {"AWS/Lambda", "Errors", "FunctionName", Statistic::sum, "errors"},
    {"AWS/Lambda", "Duration", "FunctionName", Statistic::average, "duration, average"},
    {"AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName", Statistic::sum, "delivered to S3"},
    {"AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", Statistic::sum, "write capacity"},
};

std::string period_words(std::int64_t period_ms) {
  switch (period_ms) {
    case 60'000:
      return "minute";
    case 3'600'000:
      return "hour";
    case 86'400'000:
      return "day";
    default:
      return lines::format_duration(period_ms);
  }
}

ChartSeries chart_series(const MetricValues& values, std::int64_t period_ms, std::string label) {
  ChartSeries series;
  series.label = std::move(label);
  series.unit = values.statistic == Statistic::sample_count ? "Count" : std::string(unit_name(values.metric.unit));
  series.period_ms = period_ms;
  series.points.reserve(values.points.size());
  for (const Datapoint& point : values.points) series.points.push_back({point.timestamp, point.value});
  return series;
}

Plot plot_of(const std::vector<MetricValues>& values, std::int64_t period_ms) {
  Plot plot;
  if (values.empty()) return plot;
  std::vector<std::vector<std::string>> words;
  for (const MetricValues& one : values) words.push_back(description(one));
  // The words of the first series that every other has too, in its order.
  std::vector<std::string> shared;
  for (const std::string& word : words[0])
    if (std::all_of(words.begin(), words.end(), [&](const auto& w) { return std::find(w.begin(), w.end(), word) != w.end(); }))
      shared.push_back(word);
  plot.title = fmt::format("{} per {}", joined(shared), period_words(period_ms));
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> own;
    for (const std::string& word : words[i])
      if (std::find(shared.begin(), shared.end(), word) == shared.end()) own.push_back(word);
    plot.series.push_back(chart_series(values[i], period_ms, own.empty() ? joined(words[i]) : joined(own)));
  }
  return plot;
}

std::vector<Panel> pipeline_panels(const store::Txn& txn, const Range& range, lines::EpochMs now) {
  struct Found {
    std::size_t stage, kind;
    std::string value;
    Panel panel;
  };
  std::vector<Found> found;
  for (std::size_t k = 0; k < kPipelinePanels.size(); ++k) {
    const PanelKind& kind = kPipelinePanels[k];
    Selector selector{kind.ns, kind.name, {{kind.dimension, std::nullopt}}, true};
    // The stage: the first kind of the same namespace.
    std::size_t stage = 0;
    while (std::string_view(kPipelinePanels[stage].ns) != kind.ns) ++stage;
    for (ListedMetric& metric : list_metrics(txn, selector, now)) {
      std::string value = *metric.id.dimension(kind.dimension);
      MetricValues values{metric, kind.statistic, read_series(txn, metric.id, kind.statistic, range, now)};
      std::string title = fmt::format("{}: {}", value, kind.caption);
      ChartSeries series = chart_series(values, range.period_ms, title);
      found.push_back({stage, k, std::move(value), Panel{std::move(title), {std::move(series)}}});
    }
  }
  if (found.empty())
    throw cli::Error(cli::Exit::no_input, "",
                     "no metric of a stream, group, function, delivery stream or table recorded in the last 15 days");
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.stage, a.value, a.kind) < std::tie(b.stage, b.value, b.kind);
  });
  std::vector<Panel> panels;
  for (Found& one : found) panels.push_back(std::move(one.panel));
  return panels;
}

}  // namespace millrace::metrics
