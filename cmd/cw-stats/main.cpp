// cw-stats [-S DIR] [--namespace NS] [--metric NAME] [--dimension K=V ...] [--since DURATION|TIME]
//          [--until TIME] [--period 1m|5m|1h] [--stat Sum|Average|Minimum|Maximum|SampleCount]
//          [--list] [--json] [--plot] [--watch] [--svg FILE]
// cw-stats [-S DIR] --dashboard [--since DURATION|TIME] [--until TIME] [--period 1m|5m|1h]
//          [--watch] [--svg FILE]
#include <unistd.h>

#include "cli/app.h"
#include "cli/options.h"
#include "lines/time.h"
#include "lines/writer.h"
#include "metrics/metric.h"
#include "metrics/stats.h"
#include "metrics/stats_pictures.h"
#include "store/env.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"cw-stats", "cw-stats: the store's metrics, as CloudWatch's ListMetrics and GetMetricData, tables and charts"};
  CLI::App& cli = app.parser();
  metrics::StatsOptions options;
  std::vector<std::string> dimensions;
  std::string since = "1h", until, svg;
  std::int64_t period_ms = 60'000;
  bool json = false, plot = false, watch = false, dashboard = false;

  auto* ns = cli.add_option("--namespace", options.selector.ns, "metrics of this namespace (AWS/Kinesis)")->option_text("NS");
  auto* name = cli.add_option("--metric", options.selector.name, "metrics of this name (IncomingRecords)")->option_text("NAME");
  auto* dimension = cli.add_option("--dimension", dimensions, "metrics with dimension K, of value V when given (repeatable)")
                        ->allow_extra_args(false)
                        ->option_text("K=V ...");
  cli.add_option("--since", since, "from this long ago, or this time (default 1h)")->option_text("DURATION|TIME");
  auto* until_option = cli.add_option("--until", until, "up to this time (default now)")->option_text("TIME");
  cli::add_duration(cli, "--period", period_ms, "one value per period of whole minutes (default 1m)")
      ->option_text("1m|5m|1h");
  auto* stat = cli::add_choice(cli, "--stat", options.statistic, metrics::kStatistics,
                               "the statistic of each period (default Sum, Average of times)");
  auto* list = cli.add_flag("--list", options.list, "the metrics recorded (ListMetrics)");
  auto* json_option = cli.add_flag("--json", json, "one JSON document as the API answers (GetMetricData, ListMetrics)");
  auto* plot_option = cli.add_flag("--plot", plot, "a chart of the metrics on the terminal, sized to it");
  auto* watch_option = cli.add_flag("--watch", watch, "redraw the chart, dashboard or table in place every 5 seconds");
  auto* svg_option = cli.add_option("--svg", svg, "the chart or dashboard as an SVG document in FILE (- stdout)")
                         ->option_text("FILE");
  auto* dashboard_option = cli.add_flag("--dashboard", dashboard, "the pipeline's charts: streams, groups, functions, tables");
  list->excludes(plot_option)->excludes(watch_option)->excludes(svg_option)->excludes(dashboard_option);
  json_option->excludes(plot_option)->excludes(watch_option)->excludes(svg_option)->excludes(dashboard_option);
  plot_option->excludes(svg_option)->excludes(dashboard_option);
  watch_option->excludes(svg_option)->excludes(until_option);
  dashboard_option->excludes(ns)->excludes(name)->excludes(dimension)->excludes(stat);

  return app.run(argc, argv, [&] {
    lines::EpochMs now = lines::now_ms();
    for (const std::string& text : dimensions) options.selector.dimensions.push_back(metrics::dimension_argument(text));
    auto range_at = [&](lines::EpochMs at) {
      return metrics::range_of(metrics::since_argument(since, at), until.empty() ? at : metrics::until_argument(until),
                               metrics::period_argument(period_ms));
    };
    options.range = range_at(now);
    store::Env env(app.store_dir(), store::Access::read);
    bool to_svg = svg_option->count() > 0;
    if (plot || watch || dashboard || to_svg) {
      metrics::PictureOptions picture{options,
                                      dashboard         ? metrics::Picture::dashboard
                                      : plot || to_svg ? metrics::Picture::chart
                                                        : metrics::Picture::table,
                                      to_svg ? std::optional(svg) : std::nullopt, watch};
      return metrics::run_picture(env, picture, range_at);
    }
    options.output = json ? metrics::Output::api : ::isatty(STDOUT_FILENO) ? metrics::Output::table : metrics::Output::lines;
    lines::Writer out(STDOUT_FILENO);
    metrics::run_stats(env, options, now, out);
    out.flush();
  });
}
