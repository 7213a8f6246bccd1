#include "metrics/plot.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli/error.h"
#include "metrics/recorder.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

MetricValues values_of(MetricId id, Unit unit, Statistic statistic, std::vector<Datapoint> points = {}) {
  return {{std::move(id), unit}, statistic, std::move(points)};
}

}  // namespace

TEST_CASE("a chart's title holds what its series share, each label the rest") {
  std::vector<MetricValues> values = {
      values_of(MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}), Unit::count, Statistic::sum),
      values_of(MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "taxis"}}), Unit::count, Statistic::sum)};
  Plot plot = plot_of(values, 60'000);
  CHECK(plot.title == "AWS/Kinesis IncomingRecords Sum per minute");
  REQUIRE(plot.series.size() == 2);
  CHECK(plot.series[0].label == "StreamName=rides");
  CHECK(plot.series[1].label == "StreamName=taxis");

  // A function's errors and duration: different names and statistics.
  values = {values_of(MetricId("AWS/Lambda", "Errors", {{"FunctionName", "fn"}}), Unit::count, Statistic::sum),
            values_of(MetricId("AWS/Lambda", "Duration", {{"FunctionName", "fn"}}), Unit::milliseconds, Statistic::average)};
  plot = plot_of(values, 300'000);
  CHECK(plot.title == "AWS/Lambda FunctionName=fn per 5m");
  CHECK(plot.series[0].label == "Errors Sum");
  CHECK(plot.series[1].label == "Duration Average");
  CHECK(plot.series[1].unit == "Milliseconds");

  // One series: its whole description, as title and label.
  values.resize(1);
  plot = plot_of(values, 3'600'000);
  CHECK(plot.title == "AWS/Lambda Errors FunctionName=fn Sum per hour");
  CHECK(plot.series[0].label == "AWS/Lambda Errors FunctionName=fn Sum");
}

TEST_CASE("a chart's series has a point per period with a value, in the unit of its statistic") {
  MetricValues values = values_of(MetricId("AWS/Kinesis", "IncomingBytes", {{"StreamName", "rides"}}), Unit::bytes,
                                  Statistic::sum, {{0, 10}, {120'000, 30}});
  ChartSeries series = chart_series(values, 60'000, "rides");
  CHECK(series.unit == "Bytes");
  CHECK(series.period_ms == 60'000);
  REQUIRE(series.points.size() == 2);  // the period between is missing: a gap, not a zero
  CHECK(series.points[1].time_ms == 120'000);
  CHECK(series.points[1].value == 30);
  values.statistic = Statistic::sample_count;
  CHECK(chart_series(values, 60'000, "rides").unit == "Count");
}

TEST_CASE("the dashboard has a panel per stream, function, delivery stream and table recorded, in pipeline order") {
  TempDir dir;
  store::Env env{dir / "store", store::Access::write, store::Sync::none};
  lines::EpochMs now = at("2026-11-23T10:30:00Z");
  Recorder recorder;
  auto add = [&](const char* ns, const char* name, std::vector<Dimension> dimensions, Unit unit, double value,
                 const char* time) { recorder.add(recorder.series(ns, name, std::move(dimensions), unit), value, at(time)); };
  add("AWS/Kinesis", "IncomingRecords", {{"StreamName", "taxis"}}, Unit::count, 4, "2026-11-23T10:10:00Z");
  add("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}, Unit::count, 5, "2026-11-23T10:10:00Z");
  add("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}, Unit::count, 7, "2026-11-23T10:10:30Z");
  // A shard's metric and another name of the stream are not panels.
  add("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}, {"ShardId", "shardId-000000000000"}}, Unit::count, 5,
      "2026-11-23T10:10:00Z");
  add("AWS/Kinesis", "IncomingBytes", {{"StreamName", "rides"}}, Unit::bytes, 100, "2026-11-23T10:10:00Z");
  add("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", {{"StreamName", "rides"}}, Unit::milliseconds, 200,
      "2026-11-23T10:11:00Z");
  add("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", {{"StreamName", "rides"}}, Unit::milliseconds, 900,
      "2026-11-23T10:11:10Z");
  add("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {{"TableName", "items"}}, Unit::count, 3, "2026-11-23T10:12:00Z");
  add("AWS/Lambda", "Duration", {{"FunctionName", "fn"}}, Unit::milliseconds, 10, "2026-11-23T10:12:00Z");
  add("AWS/Lambda", "Duration", {{"FunctionName", "fn"}}, Unit::milliseconds, 30, "2026-11-23T10:12:00Z");
  add("AWS/Lambda", "Errors", {{"FunctionName", "fn"}}, Unit::count, 1, "2026-11-23T10:12:00Z");
  add("AWS/Firehose", "DeliveryToS3.Records", {{"DeliveryStreamName", "bucket/archive"}}, Unit::count, 12,
      "2026-11-23T10:13:00Z");
  // Recorded a day ago: kept, so a panel, with no point in the range.
  add("AWS/Kinesis", "IncomingRecords", {{"StreamName", "old"}}, Unit::count, 1, "2026-11-22T10:00:00Z");
  env.write([&](const store::Txn& txn) {
    recorder.begin();
    recorder.flush(txn, now);
  });
  recorder.committed();

  Range range{at("2026-11-23T10:00:00Z"), now, 60'000};
  store::ReadTxn reader(env);
  std::vector<Panel> panels = pipeline_panels(reader.renew(), range, now);
  std::vector<std::string> titles;
  for (const Panel& panel : panels) titles.push_back(panel.title);
  CHECK(titles == std::vector<std::string>{"old: incoming records", "rides: incoming records", "rides: iterator age, max",
                                           "taxis: incoming records", "fn: errors", "fn: duration, average",
                                           "bucket/archive: delivered to S3", "items: write capacity"});
  CHECK(panels[0].series[0].points.empty());
  REQUIRE(panels[1].series[0].points.size() == 1);
  CHECK(panels[1].series[0].points[0].value == 12);   // the Sum of the minute
  CHECK(panels[2].series[0].points[0].value == 900);  // the Maximum of the iterator age
  CHECK(panels[2].series[0].unit == "Milliseconds");
  CHECK(panels[5].series[0].points[0].value == 20);   // the Average of the duration

  TempDir empty_dir;
  store::Env empty{empty_dir / "store", store::Access::write, store::Sync::none};
  store::ReadTxn empty_reader(empty);
  CHECK_THROWS_AS(pipeline_panels(empty_reader.renew(), range, now), cli::Error);
}
