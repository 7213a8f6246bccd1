#include "metrics/recorder.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/error.h"
#include "metrics/dimension_values.h"
#include "metrics/layout.h"
#include "metrics/query.h"
#include "metrics/retention.h"
#include "store/env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

struct Store {
  TempDir dir;
  store::Env env{dir / "store", store::Access::write, store::Sync::none};

  // Writes what `recorder` holds in a commit at `now`, as a writer's commit does.
  void commit(Recorder& recorder, lines::EpochMs now) {
    env.write([&](const store::Txn& txn) {
      recorder.begin();
      recorder.flush(txn, now);
    });
    recorder.committed();
  }

  // The stored statistic set of `id` at the minute of `time`.
  std::optional<StatisticSet> point(const MetricId& id, lines::EpochMs time) {
    store::ReadTxn reader(env);
    std::string key = layout::series_prefix(id);
    layout::append_minute(key, layout::minute_of(time));
    auto value = reader.renew().get(env.dbs().metrics, key);
    if (!value) return std::nullopt;
    return layout::decode_point(*value).set;
  }

  std::size_t keys() {
    store::ReadTxn reader(env);
    store::Cursor cursor(reader.renew(), env.dbs().metrics);
    std::size_t n = 0;
    for (bool ok = cursor.seek(""); ok; ok = cursor.next()) n += cursor.key() == layout::kSweepKey ? 0 : 1;
    return n;
  }
};

StatisticSet set_of(std::initializer_list<double> values) {
  StatisticSet set;
  for (double v : values) set.add(v);
  return set;
}

const MetricId kRecords("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}});

}  // namespace

TEST_CASE("the samples of one minute make one point; the next minute begins at its first millisecond") {
  Store s;
  Recorder recorder;
  Recorder::Series series = recorder.series(kRecords, Unit::count);
  recorder.add(series, 5, at("2026-11-23T10:00:00.000Z"));
  recorder.add(series, 2, at("2026-11-23T10:00:31.000Z"));
  recorder.add(series, 9, at("2026-11-23T10:00:59.999Z"));
  recorder.add(series, 4, at("2026-11-23T10:01:00.000Z"));
  s.commit(recorder, at("2026-11-23T10:01:00Z"));
  CHECK(s.point(kRecords, at("2026-11-23T10:00:00Z")) == set_of({5, 2, 9}));
  CHECK(s.point(kRecords, at("2026-11-23T10:01:00Z")) == set_of({4}));
  CHECK_FALSE(s.point(kRecords, at("2026-11-23T09:59:00Z")));
  CHECK(recorder.empty());
}

TEST_CASE("a commit merges its minute's samples into the point stored, and keeps the unit") {
  Store s;
  Recorder first, second;  // two processes
  first.add(first.series(kRecords, Unit::count), 10, at("2026-11-23T10:00:10Z"));
  s.commit(first, at("2026-11-23T10:00:10Z"));
  Recorder::Series series = second.series(kRecords, Unit::count);
  second.add(series, 3, at("2026-11-23T10:00:20Z"));
  second.add(series, 30, at("2026-11-23T10:00:40Z"));
  s.commit(second, at("2026-11-23T10:00:40Z"));
  CHECK(s.point(kRecords, at("2026-11-23T10:00:00Z")) == set_of({10, 3, 30}));
  store::ReadTxn reader(s.env);
  auto listed = list_metrics(reader.renew(), {}, at("2026-11-23T10:01:00Z"));
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == kRecords);
  CHECK(listed[0].unit == Unit::count);
}

TEST_CASE("a body run again after the map grew counts its samples once") {
  Store s;
  Recorder recorder;
  Recorder::Series series = recorder.series(kRecords, Unit::count);
  recorder.add(series, 1, at("2026-11-23T10:00:00Z"));  // before the commit: kept
  int runs = 0;
  write(s.env, &recorder, [&](const store::Txn&) {
    recorder.add(series, 100, at("2026-11-23T10:00:01Z"));
    if (++runs == 1) throw store::MapFull{};  // as a put that filled the map: Env::write runs the body again
  });
  CHECK(runs == 2);
  CHECK(s.point(kRecords, at("2026-11-23T10:00:00Z")) == set_of({1, 100}));
}

TEST_CASE("a commit that fails records nothing of its body, and keeps what came before for the next") {
  Store s;
  Recorder recorder;
  Recorder::Series series = recorder.series(kRecords, Unit::count);
  recorder.add(series, 1, at("2026-11-23T10:00:00Z"));
  CHECK_THROWS_AS(write(s.env, &recorder,
                        [&](const store::Txn&) {
                          recorder.add(series, 50, at("2026-11-23T10:00:01Z"));
                          throw cli::Error(cli::Exit::no_input, "rides", "the stream was deleted");
                        }),
                  cli::Error);
  CHECK_FALSE(s.point(kRecords, at("2026-11-23T10:00:00Z")));
  recorder.add(series, 2, at("2026-11-23T10:00:02Z"));
  write(s.env, &recorder, [&](const store::Txn&) {});
  CHECK(s.point(kRecords, at("2026-11-23T10:00:00Z")) == set_of({1, 2}));
}

TEST_CASE("samples moved to another recorder are written by its commit, merged with its own") {
  Store s;
  Recorder taking, writing;
  const MetricId bytes("AWS/Kinesis", "IncomingBytes", {{"StreamName", "rides"}});
  // Registered in another order: the metrics, not the handles, are what moves.
  Recorder::Series taken_records = taking.series(kRecords, Unit::count);
  Recorder::Series taken_bytes = taking.series(bytes, Unit::bytes);
  Recorder::Series written_records = writing.series(kRecords, Unit::count);
  taking.add(taken_records, 2, at("2026-11-23T10:00:10Z"));
  taking.add(taken_records, 7, at("2026-11-23T10:01:10Z"));
  taking.add(taken_bytes, 500, at("2026-11-23T10:00:20Z"));
  writing.add(written_records, 4, at("2026-11-23T10:00:30Z"));
  taking.move_to(writing);
  CHECK(taking.empty());
  taking.move_to(writing);  // nothing more
  s.commit(writing, at("2026-11-23T10:01:30Z"));
  CHECK(s.point(kRecords, at("2026-11-23T10:00:00Z")) == set_of({4, 2}));
  CHECK(s.point(kRecords, at("2026-11-23T10:01:00Z")) == set_of({7}));
  CHECK(s.point(bytes, at("2026-11-23T10:00:00Z")) == set_of({500}));
  store::ReadTxn reader(s.env);
  CHECK(read_total(reader.renew(), kRecords) == set_of({4, 2, 7}));
}

TEST_CASE("a metric that cannot be stored is not recorded") {
  Recorder recorder;
  std::string long_value(200, 'x');
  MetricId too_long("AWS/Kinesis", "IncomingRecords", {{"A", long_value}, {"B", long_value}, {"C", long_value}});
  CHECK(recorder.series(too_long, Unit::count) == Recorder::kNotRecorded);
  CHECK(recorder.series(MetricId("", "M"), Unit::count) == Recorder::kNotRecorded);
  recorder.add(Recorder::kNotRecorded, 1, 0);
  CHECK(recorder.empty());
  CHECK(recorder.series(kRecords, Unit::count) == recorder.series(kRecords, Unit::count));
}

TEST_CASE("points expire after 15 days, trimmed by later commits") {
  Store s;
  Recorder recorder;
  MetricId other("AWS/Kinesis", "IncomingRecords", {{"StreamName", "other"}});
  Recorder::Series series = recorder.series(kRecords, Unit::count), gone = recorder.series(other, Unit::count);
  lines::EpochMs start = at("2026-11-01T00:00:00Z");
  for (int minute = 0; minute < 3; ++minute) recorder.add(series, 1, start + minute * 60'000);
  recorder.add(gone, 1, start);
  s.commit(recorder, start + 3 * 60'000);
  CHECK(s.keys() == 4 + 2 + 2);  // 4 points, 2 stream names, the 2 metrics' totals

  // 15 days after the second minute: the first has expired, the second not yet.
  lines::EpochMs later = start + 60'000 + 15LL * 86'400'000;
  CHECK(first_kept_minute(later) == layout::minute_of(start) + 1);
  s.commit(recorder, later);  // nothing to write: a step of retention all the same
  CHECK_FALSE(s.point(kRecords, start));
  CHECK(s.point(kRecords, start + 60'000));
  CHECK_FALSE(s.point(other, start));
  CHECK(s.keys() == 2 + 1 + 1);  // "other" is gone, and its name and total with it
  {
    store::ReadTxn reader(s.env);
    auto listed = list_metrics(reader.renew(), {}, later);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == kRecords);
  }
  // And read back as gone before it is trimmed: a reader at a later time sees nothing expired.
  store::ReadTxn reader(s.env);
  CHECK(read_periods(reader.renew(), kRecords, {start, later + 86'400'000, 60'000}, later + 86'400'000).empty());
}

TEST_CASE("a step of retention is bounded, and the next goes on where it stopped") {
  Store s;
  Recorder recorder;
  lines::EpochMs start = at("2026-11-01T00:00:00Z");
  std::vector<Recorder::Series> series;
  for (int i = 0; i < 40; ++i)
    series.push_back(recorder.series(MetricId("NS", "M", {{"Shard", std::to_string(i)}}), Unit::count));
  for (int minute = 0; minute < 5; ++minute)
    for (Recorder::Series one : series) recorder.add(one, 1, start + minute * 60'000);
  s.commit(recorder, start);
  CHECK(s.keys() == 200 + 40);  // the points, and each metric's total
  lines::EpochMs later = start + 20LL * 86'400'000;  // everything has expired
  std::uint64_t removed = 0;
  int steps = 0;
  while (s.keys() > 0) {
    s.env.write([&](const store::Txn& txn) { removed += trim_step(txn, later, 30).removed; });
    ++steps;
    REQUIRE(steps < 100);
  }
  CHECK(removed == 240);  // the totals go with the last points of their metrics
  CHECK(steps == 8);      // 30 keys a step
}

TEST_CASE("a dimension's values taken from names are bounded") {
  Store s;
  Recorder recorder;
  lines::EpochMs now = at("2026-11-23T10:00:00Z");
  for (std::size_t i = 0; i < kMaxValuesPerDimension; ++i)
    recorder.add(recorder.series(MetricId("AWS/Kinesis", "IncomingRecords", {{"StreamName", "s" + std::to_string(i)}}),
                                 Unit::count),
                 1, now);
  s.commit(recorder, now);
  MetricId one_more("AWS/Kinesis", "IncomingRecords", {{"StreamName", "one-more"}});
  MetricId known("AWS/Kinesis", "IncomingBytes", {{"StreamName", "s7"}});  // a new metric of a known value
  MetricId unbounded("AWS/Kinesis", "IncomingRecords", {{"ShardId", "x"}});
  Recorder next;
  next.add(next.series(one_more, Unit::count), 1, now);
  next.add(next.series(known, Unit::bytes), 1, now);
  next.add(next.series(unbounded, Unit::count), 1, now);
  s.commit(next, now);
  CHECK_FALSE(s.point(one_more, now));
  CHECK(s.point(known, now));
  CHECK(s.point(unbounded, now));
  // Once values are forgotten (15 days without a point), new ones are recorded again.
  lines::EpochMs later = now + 16LL * 86'400'000;
  while (s.keys() > 1) s.env.write([&](const store::Txn& txn) { trim_step(txn, later, 10'000); });
  Recorder after;
  after.add(after.series(one_more, Unit::count), 1, later);
  s.commit(after, later);
  CHECK(s.point(one_more, later));
}

TEST_CASE("a metric's periods sum its minutes, aligned on the period, and leave out periods without points") {
  Store s;
  Recorder recorder;
  Recorder::Series series = recorder.series(kRecords, Unit::count);
  lines::EpochMs hour = at("2026-11-23T10:00:00Z");
  recorder.add(series, 1, hour + 1 * 60'000);   // 10:01
  recorder.add(series, 2, hour + 4 * 60'000);   // 10:04
  recorder.add(series, 3, hour + 5 * 60'000);   // 10:05
  recorder.add(series, 7, hour + 16 * 60'000);  // 10:16
  s.commit(recorder, hour + 20 * 60'000);
  store::ReadTxn reader(s.env);
  store::Txn txn = reader.renew();
  lines::EpochMs now = hour + 30 * 60'000;
  auto sums = read_series(txn, kRecords, Statistic::sum, {hour, now, 5 * 60'000}, now);
  REQUIRE(sums.size() == 3);
  CHECK(sums[0].timestamp == hour);
  CHECK(sums[0].value == 3);
  CHECK(sums[1].timestamp == hour + 5 * 60'000);
  CHECK(sums[1].value == 3);
  CHECK(sums[2].timestamp == hour + 15 * 60'000);
  CHECK(sums[2].value == 7);
  auto counts = read_series(txn, kRecords, Statistic::sample_count, {hour, now, 3'600'000}, now);
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].value == 4);
  // A range that begins after 10:04 and ends at 10:16 holds 10:05 only.
  auto cut = read_series(txn, kRecords, Statistic::maximum, {hour + 4 * 60'000 + 1, hour + 16 * 60'000, 60'000}, now);
  REQUIRE(cut.size() == 1);
  CHECK(cut[0].value == 3);
}

TEST_CASE("a selector is ListMetrics' filter; with only_these, GetMetricData's exact dimensions") {
  MetricId shard("AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}, {"ShardId", "shardId-000000000000"}});
  Selector by_stream{"AWS/Kinesis", "IncomingRecords", {{"StreamName", "rides"}}, false};
  CHECK(by_stream.matches(kRecords));
  CHECK(by_stream.matches(shard));
  by_stream.only_these = true;
  CHECK(by_stream.matches(kRecords));
  CHECK_FALSE(by_stream.matches(shard));
  Selector shards{"", "", {{"StreamName", "rides"}, {"ShardId", std::nullopt}}, true};
  CHECK(shards.matches(shard));
  CHECK_FALSE(shards.matches(kRecords));
  Selector lambda;
  lambda.ns = "AWS/Lambda";
  CHECK_FALSE(lambda.matches(kRecords));
  Selector other;
  other.dimensions = {{"StreamName", "other"}};
  CHECK_FALSE(other.matches(kRecords));
}

TEST_CASE("a pass of retention over more keys than a step's budget comes round, and the next begins anew") {
  // The recorder steps no more in a minute once a pass has come round: were a pass longer than
  // a step never to come round, every commit would step through the store.
  Store s;
  Recorder recorder;
  lines::EpochMs now = at("2026-11-01T00:00:00Z");
  for (int i = 0; i < 40; ++i)
    recorder.add(recorder.series(MetricId("NS", "M", {{"Shard", std::to_string(i)}}), Unit::count), 1, now);
  s.commit(recorder, now);
  // Nothing has expired: each metric is one step (skipped whole), each total one: 80 steps.
  for (int pass = 0; pass < 2; ++pass) {
    CAPTURE(pass);
    std::vector<bool> came_round;
    for (int step = 0; step < 3; ++step)
      s.env.write([&](const store::Txn& txn) { came_round.push_back(trim_step(txn, now, 30).came_round); });
    CHECK(came_round == std::vector<bool>{false, false, true});  // 30, 60, then the last 20
  }
}
