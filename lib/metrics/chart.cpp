#include "metrics/chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "metrics/time_axis.h"
#include "metrics/units.h"

namespace millrace::metrics {
namespace {

// Foreground colours that read on dark and light backgrounds alike: cyan, yellow, magenta,
// green, blue, red.
constexpr std::array<int, 6> kPalette = {36, 33, 35, 32, 34, 31};

// A time label is 5 columns (HH:MM); with a gap of 3 between two, one tick every 8 columns.
constexpr int kColumnsPerTimeTick = 8;
constexpr int kLegendGap = 3;

// The characters of the axes: box drawing, or ASCII where the glyphs are.
struct AxisGlyphs {
  const char *vertical, *tick_left, *corner, *horizontal, *tick_down, *legend_mark;
};
AxisGlyphs axis_glyphs(Glyphs glyphs) {
  if (glyphs == Glyphs::ascii) return {"|", "+", "+", "-", "+", "--"};
  return {"│", "┤", "└", "─", "┬", "━━"};
}

// A line being built, with its width in columns counted apart from colour escapes.
struct Row {
  std::string text;
  int width = 0;
  void add(std::string_view piece) {
    text += piece;
    width += static_cast<int>(display_width(piece));
  }
  void pad_to(int columns) {
    if (width < columns) text.append(static_cast<std::size_t>(columns - width), ' ');
    width = std::max(width, columns);
  }
};

bool units_differ(const std::vector<ChartSeries>& series) {
  return std::any_of(series.begin(), series.end(), [&](const ChartSeries& one) { return one.unit != series[0].unit; });
}

// The legend's items, laid out in lines no wider than `columns`.
std::vector<Row> legend_rows(const std::vector<ChartSeries>& series, const ChartOptions& options, int columns) {
  std::vector<Row> rows;
  bool with_units = units_differ(series);
  const char* mark = axis_glyphs(options.glyphs).legend_mark;
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::string label = printable(series[i].label);
    if (with_units && !series[i].unit.empty()) label += fmt::format(" ({})", printable(series[i].unit));
    int mark_width = static_cast<int>(display_width(mark)) + 1;
    label = truncate_to_width(label, static_cast<std::size_t>(std::max(0, columns - mark_width)));
    int item_width = mark_width + static_cast<int>(display_width(label));
    if (rows.empty() || rows.back().width + kLegendGap + item_width > columns) {
      rows.emplace_back();
    } else {
      rows.back().add(std::string(kLegendGap, ' '));
    }
    Row& row = rows.back();
    row.text += options.colour ? colour_on(static_cast<int>(i)) : "";
    row.add(mark);
    row.text += options.colour ? kColourOff : "";
    row.add(" " + label);
  }
  return rows;
}

}  // namespace

std::string colour_on(int index) {
  return fmt::format("\x1b[{}m", kPalette[static_cast<std::size_t>(index) % kPalette.size()]);
}

std::vector<std::string> render_chart(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  if (options.width < kMinChartWidth || options.height < kMinChartHeight)
    throw std::invalid_argument(fmt::format("a chart needs at least {}x{} cells, not {}x{}", kMinChartWidth,
                                            kMinChartHeight, options.width, options.height));
  const AxisGlyphs axes = axis_glyphs(options.glyphs);
  const int title_rows = options.title.empty() ? 0 : 1;

  TimeRange range = time_range(series, options.start_ms, options.end_ms);
  std::optional<ValueRange> values = value_range(series, range);
  std::string unit = series.empty() || units_differ(series) ? "" : series[0].unit;

  // The legend's rows depend on the value labels' width, which depends on the plot's rows, which
  // depend on the legend's rows: lay out with the legend as wide as the whole chart, then again
  // with it as wide as it is. The legend is dropped if it would leave fewer than two rows of plot.
  bool legend = !series.empty() && (series.size() > 1 || options.title.empty());
  int legend_count = legend ? static_cast<int>(legend_rows(series, options, options.width).size()) : 0;
  int plot_rows = 0, label_width = 0;
  ValueAxis value;
  for (int pass = 0; pass < 2; ++pass) {
    plot_rows = options.height - title_rows - 2 - legend_count;
    if (plot_rows < 2 && legend_count > 0) {
      legend_count = 0;
      plot_rows = options.height - title_rows - 2;
    }
    value = value_axis(values ? values->min : 0, values ? values->max : 0, plot_rows / 2 + 1, unit);
    label_width = 0;
    for (const std::string& label : value.labels)
      label_width = std::max(label_width, static_cast<int>(display_width(label)));
    if (legend_count == 0) break;
    int needed = static_cast<int>(legend_rows(series, options, options.width - label_width - 1).size());
    if (needed == legend_count) break;
    legend_count = needed;
  }
  int plot_columns = options.width - label_width - 1;
  if (plot_columns < 2)
    throw std::invalid_argument(fmt::format("a chart of {} columns has no room beside labels of {}", options.width,
                                            label_width));

  Canvas canvas(plot_columns, plot_rows, options.glyphs);
  auto x_of = [&](std::int64_t time_ms) {
    return static_cast<int>(std::llround(static_cast<double>(time_ms - range.start_ms) * (canvas.dots_across() - 1) /
                                         static_cast<double>(range.end_ms - range.start_ms)));
  };
  auto y_of = [&](double v) {
    return static_cast<int>(std::llround((value.high - v) * (canvas.dots_down() - 1) / (value.high - value.low)));
  };
  for (std::size_t i = 0; i < series.size(); ++i)
    for (std::span<const ChartPoint> run : runs_of(series[i], range)) {
      int colour = static_cast<int>(i);
      canvas.set(x_of(run[0].time_ms), y_of(run[0].value), colour);
      for (std::size_t k = 1; k < run.size(); ++k)
        canvas.line(x_of(run[k - 1].time_ms), y_of(run[k - 1].value), x_of(run[k].time_ms), y_of(run[k].value), colour);
    }

  std::vector<std::string> lines;
  if (title_rows > 0) {
    Row title;
    title.add(truncate_to_width(printable(options.title), static_cast<std::size_t>(options.width)));
    title.pad_to(options.width);
    lines.push_back(title.text);
  }

  // Value labels on the rows of their ticks; when two ticks fall on one row, the first keeps it.
  std::vector<std::string> row_labels(static_cast<std::size_t>(plot_rows));
  std::vector<bool> labelled(static_cast<std::size_t>(plot_rows), false);
  for (std::size_t k = 0; k < value.ticks.size(); ++k) {
    auto row = static_cast<std::size_t>(y_of(value.ticks[k]) / Canvas::dot_rows(options.glyphs));
    if (row < labelled.size() && !labelled[row]) {
      labelled[row] = true;
      row_labels[row] = value.labels[k];
    }
  }
  std::string empty_note = values ? "" : "no data";
  for (int r = 0; r < plot_rows; ++r) {
    Row row;
    auto index = static_cast<std::size_t>(r);
    row.add(std::string(static_cast<std::size_t>(label_width) - display_width(row_labels[index]), ' '));
    row.add(row_labels[index]);
    row.add(labelled[index] ? axes.tick_left : axes.vertical);
    if (!empty_note.empty() && r == plot_rows / 2 && plot_columns >= static_cast<int>(empty_note.size())) {
      int before = (plot_columns - static_cast<int>(empty_note.size())) / 2;
      row.add(std::string(static_cast<std::size_t>(before), ' ') + empty_note);
    } else {
      int open = -1;  // the colour in force
      for (int c = 0; c < plot_columns; ++c) {
        int colour = options.colour ? canvas.colour(c, r) : -1;
        if (colour != open) {
          if (open >= 0) row.text += kColourOff;
          if (colour >= 0) row.text += colour_on(colour);
          open = colour;
        }
        row.add(canvas.glyph(c, r));
      }
      if (open >= 0) row.text += kColourOff;
    }
    row.pad_to(options.width);
    lines.push_back(row.text);
  }

  // The time axis: tick marks under the plot, labels centred under them where they fit.
  TimeAxis time = time_axis(range.start_ms, range.end_ms, std::max(1, plot_columns / kColumnsPerTimeTick),
                            options.utc_offset_minutes);
  std::vector<bool> tick_at(static_cast<std::size_t>(plot_columns), false);
  Row labels;
  for (std::size_t k = 0; k < time.ticks.size(); ++k) {
    int column = x_of(time.ticks[k]) / Canvas::dot_columns(options.glyphs);
    tick_at[static_cast<std::size_t>(column)] = true;
    int length = static_cast<int>(time.labels[k].size());
    int at = label_width + 1 + column - length / 2;
    if (at < 0 || at + length > options.width || (labels.width > 0 && at <= labels.width)) continue;
    labels.pad_to(at);
    labels.add(time.labels[k]);
  }
  Row axis;
  axis.add(std::string(static_cast<std::size_t>(label_width), ' '));
  axis.add(axes.corner);
  for (int c = 0; c < plot_columns; ++c) axis.add(tick_at[static_cast<std::size_t>(c)] ? axes.tick_down : axes.horizontal);
  lines.push_back(axis.text);
  labels.pad_to(options.width);
  lines.push_back(labels.text);

  if (legend_count > 0)
    for (Row& row : legend_rows(series, options, options.width - label_width - 1)) {
      Row line;
      line.add(std::string(static_cast<std::size_t>(label_width + 1), ' '));
      line.text += row.text;
      line.width += row.width;
      line.pad_to(options.width);
      lines.push_back(line.text);
    }
  // Should the second layout's legend still differ from the first's, the chart keeps its height.
  lines.resize(static_cast<std::size_t>(options.height), std::string(static_cast<std::size_t>(options.width), ' '));
  return lines;
}

std::string chart_text(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + '\n';
  return text;
}

}  // namespace millrace::metrics
