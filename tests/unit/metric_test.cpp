#include "metrics/metric.h"

#include <doctest/doctest.h>

using namespace millrace::metrics;

TEST_CASE("a statistic set keeps the sum, count, minimum and maximum of its samples") {
  StatisticSet set;
  CHECK(set.empty());
  for (double v : {5.0, 1.0, 9.0, 3.0}) set.add(v);
  CHECK(set.sum == 18.0);
  CHECK(set.sample_count == 4.0);
  CHECK(set.minimum == 1.0);
  CHECK(set.maximum == 9.0);
  CHECK(value_of(set, Statistic::average) == 4.5);
  CHECK(value_of(set, Statistic::sample_count) == 4.0);
}

TEST_CASE("merging two statistic sets gives the set of all their samples") {
  StatisticSet a, b, all;
  for (double v : {2.0, 8.0}) {
    a.add(v);
    all.add(v);
  }
  for (double v : {-1.0, 4.0, 4.0}) {
    b.add(v);
    all.add(v);
  }
  StatisticSet merged = a;
  merged.merge(b);
  CHECK(merged == all);
  StatisticSet empty;
  merged.merge(empty);  // merging nothing changes nothing
  CHECK(merged == all);
  empty.merge(a);
  CHECK(empty == a);
}

TEST_CASE("statistics and units by CloudWatch's names") {
  CHECK(parse_statistic("SampleCount") == Statistic::sample_count);
  CHECK(parse_statistic("Average") == Statistic::average);
  CHECK_FALSE(parse_statistic("p99"));
  CHECK_FALSE(parse_statistic("sum"));
  CHECK(statistic_name(Statistic::maximum) == "Maximum");
  CHECK(unit_name(Unit::milliseconds) == "Milliseconds");
  CHECK(unit_name(Unit::count) == "Count");
  CHECK(unit_of(2) == Unit::bytes);
  CHECK_FALSE(unit_of(200));
}

TEST_CASE("a metric's label names it and its dimensions") {
  MetricId id("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}, {"ShardId", "shardId-000000000000"}});
  CHECK(id.label() == "IncomingRecords ShardId=shardId-000000000000 StreamName=rides");
}
