// cw-stats [-S DIR] [--namespace NS] [--metric NAME] [--dimension K=V ...] [--since DURATION|TIME]
//          [--until TIME] [--period 1m|5m|1h] [--stat Sum|Average|Minimum|Maximum|SampleCount]
//          [--list] [--json]
#include <unistd.h>

#include "cli/app.h"
#include "cli/options.h"
#include "lines/time.h"
#include "lines/writer.h"
#include "metrics/metric.h"
#include "metrics/stats.h"
#include "store/env.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"cw-stats", "cw-stats: the store's metrics, as CloudWatch's ListMetrics and GetMetricData"};
  CLI::App& cli = app.parser();
  metrics::StatsOptions options;
  std::vector<std::string> dimensions;
  std::string since = "1h", until;
  std::int64_t period_ms = 60'000;
  bool json = false;

  cli.add_option("--namespace", options.selector.ns, "metrics of this namespace (AWS/Kinesis)")->option_text("NS");
  cli.add_option("--metric", options.selector.name, "metrics of this name (IncomingRecords)")->option_text("NAME");
  cli.add_option("--dimension", dimensions, "metrics with dimension K, of value V when given (repeatable)")
      ->allow_extra_args(false)
      ->option_text("K=V ...");
  cli.add_option("--since", since, "from this long ago, or this time (default 1h)")->option_text("DURATION|TIME");
  cli.add_option("--until", until, "up to this time (default now)")->option_text("TIME");
  cli::add_duration(cli, "--period", period_ms, "one value per period of whole minutes (default 1m)")
      ->option_text("1m|5m|1h");
  cli::add_choice(cli, "--stat", options.statistic, metrics::kStatistics,
                  "the statistic of each period (default Sum, Average of times)");
  cli.add_flag("--list", options.list, "the metrics recorded (ListMetrics)");
  cli.add_flag("--json", json, "one JSON document as the API answers (GetMetricData, ListMetrics)");

  return app.run(argc, argv, [&] {
    lines::EpochMs now = lines::now_ms();
    for (const std::string& text : dimensions) options.selector.dimensions.push_back(metrics::dimension_argument(text));
    options.range = metrics::range_of(metrics::since_argument(since, now),
                                      until.empty() ? now : metrics::until_argument(until),
                                      metrics::period_argument(period_ms));
    options.output = json ? metrics::Output::api : ::isatty(STDOUT_FILENO) ? metrics::Output::table : metrics::Output::lines;
    store::Env env(app.store_dir(), store::Access::read);
    lines::Writer out(STDOUT_FILENO);
    metrics::run_stats(env, options, now, out);
    out.flush();
  });
}
