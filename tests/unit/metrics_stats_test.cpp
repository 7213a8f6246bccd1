#include "metrics/stats.h"

#include <doctest/doctest.h>

#include <functional>

#include "cli/error.h"

using namespace millrace;
using namespace millrace::metrics;

namespace {

cli::Exit status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const cli::Error& e) {
    return e.status();
  }
  return cli::Exit::ok;
}

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

}  // namespace

TEST_CASE("--dimension is NAME=VALUE, or NAME for any value") {
  Selector::Wanted d = dimension_argument("StreamName=rides");
  CHECK(d.name == "StreamName");
  CHECK(d.value == "rides");
  CHECK(dimension_argument("DeliveryStreamName=bucket/a=b").value == "bucket/a=b");  // the first = splits
  CHECK_FALSE(dimension_argument("ShardId").value);
  CHECK(status_of([] { dimension_argument("=rides"); }) == cli::Exit::usage);
  CHECK(status_of([] { dimension_argument("StreamName="); }) == cli::Exit::usage);
}

TEST_CASE("--since is a duration before now or a time; --until a time") {
  lines::EpochMs now = at("2026-11-23T10:30:00Z");
  CHECK(since_argument("90m", now) == at("2026-11-23T09:00:00Z"));
  CHECK(since_argument("2026-11-22T00:00:00Z", now) == at("2026-11-22T00:00:00Z"));
  CHECK(until_argument("2026-11-23T11:00:00Z") == at("2026-11-23T11:00:00Z"));
  CHECK(status_of([&] { since_argument("yesterday", now); }) == cli::Exit::usage);
  CHECK(status_of([] { until_argument("1h"); }) == cli::Exit::usage);
}

TEST_CASE("--period is whole minutes from 1m to 1d; the range begins with the period holding --since") {
  CHECK(period_argument(60'000) == 60'000);
  CHECK(period_argument(86'400'000) == 86'400'000);
  CHECK(status_of([] { period_argument(90'000); }) == cli::Exit::usage);
  CHECK(status_of([] { period_argument(30'000); }) == cli::Exit::usage);
  CHECK(status_of([] { period_argument(2 * 86'400'000LL); }) == cli::Exit::usage);
  Range r = range_of(at("2026-11-23T10:07:30Z"), at("2026-11-23T11:00:00Z"), 300'000);
  CHECK(r.start == at("2026-11-23T10:05:00Z"));
  CHECK(r.end == at("2026-11-23T11:00:00Z"));
  CHECK(range_of(at("2026-11-23T10:07:30Z"), 0, 3'600'000).start == at("2026-11-23T10:00:00Z"));
}

TEST_CASE("counts and bytes are summed by default, times averaged") {
  CHECK(default_statistic(Unit::count) == Statistic::sum);
  CHECK(default_statistic(Unit::bytes) == Statistic::sum);
  CHECK(default_statistic(Unit::milliseconds) == Statistic::average);
  CHECK(default_statistic(Unit::seconds) == Statistic::average);
}
