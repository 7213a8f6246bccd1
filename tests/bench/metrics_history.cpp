// metrics_history — a store holding days of recorded metrics, for tests/bench/charts.sh: what
// cw-stats reads and draws after two weeks of a pipeline, made in seconds instead of weeks.
//
// metrics_history --store DIR [--series N] [--days D]
//   Writes, through metrics::Recorder as the programs record, AWS/Kinesis IncomingRecords of
//   N streams (StreamName=stream-1 .. stream-N, default 10), one sample a minute for D days
//   (default 15, all that is kept) up to now (MILLRACE_NOW, as every program's clock): a daily
//   wave of each stream's own amplitude and phase, with noise (seed fixed: the same values
//   every time).
//
// Exit status: 0, 64 bad usage, 69/73/74 as the store's.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "cli/app.h"
#include "lines/time.h"
#include "metrics/recorder.h"
#include "store/env.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"metrics_history", "metrics_history: days of recorded metrics in a store, for benchmarks"};
  CLI::App& cli = app.parser();
  int series = 10, days = 15;
  cli.add_option("--series", series, "streams, a metric each (default 10)")->check(CLI::Range(1, 1000));
  cli.add_option("--days", days, "days of minutes up to --now (default 15)")->check(CLI::Range(1, 15));
  return app.run(argc, argv, [&] {
    lines::EpochMs now = lines::now_ms();
    store::Env env(app.store_dir(), store::Access::write, store::Sync::none);
    metrics::Recorder recorder;
    std::vector<metrics::Recorder::Series> handles;
    for (int s = 1; s <= series; ++s)
      handles.push_back(recorder.series("AWS/Kinesis", "IncomingRecords", {{"StreamName", "stream-" + std::to_string(s)}},
                                        metrics::Unit::count));
    std::mt19937_64 random(1);
    std::normal_distribution<double> noise(0, 0.05);
    constexpr std::int64_t kMinute = 60'000, kDayMinutes = 1440;
    std::int64_t first = now - now % kMinute - (static_cast<std::int64_t>(days) * kDayMinutes - 1) * kMinute;
    // A day of samples a commit, as a busy writer's commits would hold them in bulk.
    for (int day = 0; day < days; ++day) {
      metrics::write(env, &recorder, [&](const store::Txn&) {
        for (std::int64_t m = 0; m < kDayMinutes; ++m) {
          std::int64_t at = first + (day * kDayMinutes + m) * kMinute;
          for (int s = 0; s < series; ++s) {
            double wave = 1 + 0.6 * std::sin(2 * M_PI * static_cast<double>(m) / kDayMinutes + s);
            recorder.add(handles[static_cast<std::size_t>(s)], std::round(1000 * (s + 1) * wave * (1 + noise(random))), at);
          }
        }
      });
    }
  });
}
