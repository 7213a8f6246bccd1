// StatsPictures: cw-stats's pictures of the metrics. A chart of a query's values (--plot) or
// the pipeline's dashboard (--dashboard, metrics/plot.h's panels), drawn once on the terminal,
// sized to it, or written as an SVG document (--svg FILE); redrawn in place (--watch) every 5
// seconds of the clock, so at the start of every period too, the chart, the dashboard or the
// table (stats.h) following the time.
//
// Charts are drawn only on a terminal: asked for with standard output elsewhere (a pipe, a
// file), they are refused as a usage error rather than drawn into it. Times are UTC, as in
// the tables.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "lines/time.h"
#include "metrics/query.h"
#include "metrics/stats.h"
#include "store/env.h"

namespace millrace::metrics {

enum class Picture { table, chart, dashboard };

struct PictureOptions {
  StatsOptions stats;  // the selector and statistic of a chart or table (its range: range_at's)
  Picture picture = Picture::chart;
  std::optional<std::string> svg;  // the document's file, "-" standard output
  bool watch = false;
};

// The range shown at `now`: --since, --until and --period as given, read again at each frame.
using RangeAt = std::function<Range(lines::EpochMs now)>;

// How often --watch redraws, on the clock: every period starts on such a time.
inline constexpr std::int64_t kRedrawMs = 5'000;

// Draws what `options` ask on standard output, or writes the SVG. Under --watch it returns
// once SIGINT or SIGTERM is caught, the terminal as it was before. Throws cli::Error: usage when
// drawing needs a terminal that standard output is not, or the terminal is too small; no_input
// when no metric is there to show; cant_create when the SVG's file cannot be created.
void run_picture(store::Env& env, const PictureOptions& options, const RangeAt& range_at);

}  // namespace millrace::metrics
