#include "metrics/stats_pictures.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/error.h"
#include "cli/screen.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "lines/writer.h"
#include "metrics/chart.h"
#include "metrics/dashboard.h"
#include "metrics/plot.h"
#include "metrics/svg.h"

namespace millrace::metrics {
namespace {

// The SVG documents' sizes, in pixels: a chart; a dashboard's width and each row's height.
constexpr int kSvgChartWidth = 960, kSvgChartHeight = 420;
constexpr int kSvgDashboardWidth = 1200, kSvgPanelHeight = 260;

const char* option_of(const PictureOptions& options) {
  switch (options.picture) {
    case Picture::chart:
      return "--plot";
    case Picture::dashboard:
      return "--dashboard";
    case Picture::table:
      break;
  }
  return "--watch";
}

// What a picture shows at `now`: the chart's series and title, or the dashboard's panels.
struct Scene {
  Range range;
  Plot plot;
  std::vector<Panel> panels;
  std::vector<MetricValues> values;  // the table's
};

Scene read_scene(store::Env& env, const PictureOptions& options, const RangeAt& range_at, lines::EpochMs now) {
  Scene scene;
  scene.range = range_at(now);
  store::ReadTxn reader(env);
  store::Txn txn = reader.renew();
  if (options.picture == Picture::dashboard) {
    scene.panels = pipeline_panels(txn, scene.range, now);
  } else {
    StatsOptions stats = options.stats;
    stats.range = scene.range;
    scene.values = read_values(txn, stats, now);
    if (options.picture == Picture::chart) scene.plot = plot_of(scene.values, scene.range.period_ms);
  }
  return scene;
}

// The picture in `width` by `height` cells. Throws std::invalid_argument when it does not fit.
std::vector<std::string> draw_scene(const PictureOptions& options, const Scene& scene, int width, int height) {
  ChartOptions chart;
  chart.width = width;
  chart.height = height;
  chart.colour = cli::colour_wanted(STDOUT_FILENO);
  chart.start_ms = scene.range.start;
  chart.end_ms = scene.range.end;
  switch (options.picture) {
    case Picture::chart:
      chart.title = scene.plot.title;
      return render_chart(scene.plot.series, chart);
    case Picture::dashboard:
      return render_dashboard(scene.panels, chart);
    case Picture::table:
      break;
  }
  // The table's newest rows, under its header, cut to the width.
  std::vector<std::string> rows;
  std::string text = values_table(scene.values);
  for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
    end = text.find('\n', at);
    rows.push_back(truncate_to_width(std::string_view(text).substr(at, end - at), static_cast<std::size_t>(width)));
  }
  if (rows.size() > static_cast<std::size_t>(height) && height > 1)
    rows.erase(rows.begin() + 1, rows.end() - (height - 1));
  return rows;
}

void write_svg(const std::string& path, const std::string& document) {
  int fd = STDOUT_FILENO;
  if (path != "-") {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw cli::Error(cli::Exit::cant_create, path, std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDOUT_FILENO) ::close(fd);
    }
  } closer{fd};
  lines::Writer out(fd);
  out.append(document);
  out.flush();
}

void watch(store::Env& env, const PictureOptions& options, const RangeAt& range_at) {
  cli::catch_stop_signals();
  cli::catch_resize();
  auto frame = [&](cli::TerminalSize size) {
    Scene scene = read_scene(env, options, range_at, lines::now_ms());
    try {
      return draw_scene(options, scene, size.columns, size.rows);
    } catch (const std::invalid_argument&) {  // a terminal made too small: say so until it grows
      return std::vector<std::string>{
          truncate_to_width(fmt::format("{}x{}: too small", size.columns, size.rows), static_cast<std::size_t>(size.columns))};
    }
  };
  // The first frame is read before the screen is taken: a query of nothing is refused on the
  // normal screen, where its message stays.
  std::vector<std::string> first = frame(cli::terminal_size(STDOUT_FILENO));
  cli::Screen screen(STDOUT_FILENO);
  screen.draw(first);
  for (;;) {
    cli::sleep_unless_signalled(kRedrawMs - lines::now_ms() % kRedrawMs);
    if (cli::stop_requested()) return;
    cli::resized();  // whatever the size is now, the next frame is drawn to it
    screen.draw(frame(screen.size()));
  }
}

}  // namespace

void run_picture(store::Env& env, const PictureOptions& options, const RangeAt& range_at) {
  if (options.svg) {
    Scene scene = read_scene(env, options, range_at, lines::now_ms());
    SvgOptions svg;
    svg.start_ms = scene.range.start;
    svg.end_ms = scene.range.end;
    if (options.picture == Picture::dashboard) {
      svg.width = kSvgDashboardWidth;
      svg.height = kSvgPanelHeight;
      return write_svg(*options.svg, render_svg_dashboard(scene.panels, svg));
    }
    svg.width = kSvgChartWidth;
    svg.height = kSvgChartHeight;
    svg.title = scene.plot.title;
    return write_svg(*options.svg, render_svg(scene.plot.series, svg));
  }
  if (!cli::is_terminal(STDOUT_FILENO))
    throw cli::Error(cli::Exit::usage, option_of(options),
                     options.picture == Picture::table
                         ? "standard output is not a terminal: the table is redrawn in place only on one"
                         : "standard output is not a terminal: charts are drawn only on one (--svg FILE writes a file)");
  if (options.watch) return watch(env, options, range_at);

  // Drawn once, a row short of the terminal, so that the prompt that follows leaves it whole.
  cli::TerminalSize size = cli::terminal_size(STDOUT_FILENO);
  Scene scene = read_scene(env, options, range_at, lines::now_ms());
  std::vector<std::string> lines;
  try {
    lines = draw_scene(options, scene, size.columns, std::max(size.rows - 1, 1));
  } catch (const std::invalid_argument& e) {
    throw cli::Error(cli::Exit::usage, option_of(options), fmt::format("a terminal of {}x{}: {}", size.columns, size.rows, e.what()));
  }
  lines::Writer out(STDOUT_FILENO);
  out.append(chart_text(lines));
  out.flush();
}

}  // namespace millrace::metrics
