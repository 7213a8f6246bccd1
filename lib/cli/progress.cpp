#include "cli/progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "cli/diagnostics.h"
#include "cli/terminal.h"
#include "lines/reader.h"
#include "metrics/chart_series.h"
#include "metrics/units.h"

namespace millrace::cli {
namespace {

// At most ten draws a second: fast enough to look alive, slow enough to cost nothing and not
// to flicker.
constexpr std::int64_t kRedrawMs = 100;
// Automatic progress waits this long, so that quick runs draw nothing at all.
constexpr std::int64_t kQuietMs = 1000;
// The rate is measured over the last few seconds: steady enough to read, recent enough to
// follow a change of pace.
constexpr std::int64_t kRateWindowMs = 3000;
constexpr std::size_t kBarCells = 16;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// 1234567 → "1,234,567".
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// 42 → "0:42", 3725 → "1:02:05".
std::string clock_duration(std::uint64_t seconds) {
  if (seconds >= 3600) return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

}  // namespace

CLI::Option* add_progress(CLI::App& app, ProgressMode& mode) {
  CLI::Option* on = app.add_flag_callback(
      "--progress", [&mode] { mode = ProgressMode::on; },
      "show records, bytes, rates and time left on stderr (default: on a terminal, after a second)");
  app.add_flag_callback("--no-progress", [&mode] { mode = ProgressMode::off; }, "no progress line")->excludes(on);
  return on;
}

Progress::Progress(std::string noun, ProgressMode mode, Stdout stdout_use)
    : Progress(std::move(noun),
               mode == ProgressMode::automatic && stdout_use == Stdout::data && is_terminal(STDOUT_FILENO)
                   ? ProgressMode::off
                   : mode,
               Output{STDERR_FILENO, is_terminal(STDERR_FILENO), colour_wanted(STDERR_FILENO),
                      escapes_wanted(STDERR_FILENO), terminal_size(STDERR_FILENO).columns},
               steady_ms) {}

Progress::Progress(std::string noun, ProgressMode mode, Output output, Clock clock)
    : noun_(std::move(noun)), mode_(mode), output_(output), clock_(std::move(clock)) {
  if (mode_ == ProgressMode::off) output_.terminal = false;
  started_ms_ = output_.terminal ? clock_() : 0;
  samples_.push_back({started_ms_, 0, 0});
}

Progress::~Progress() { finish(); }

void Progress::update(std::uint64_t records, std::uint64_t bytes) {
  if (!output_.terminal || finished_) return;
  records_ = records;
  bytes_ = bytes;
  std::int64_t now = clock_();
  if (mode_ == ProgressMode::automatic && now - started_ms_ < kQuietMs) return;
  if (last_draw_ms_ != INT64_MIN && now - last_draw_ms_ < kRedrawMs) return;
  draw(now, false);
}

void Progress::follow(lines::Reader& reader) {
  if (!output_.terminal) return;
  set_total_bytes(reader.input_size());
  reader_ = &reader;
  reader.after_each_read([this, &reader] { update(reader.lines_read(), reader.bytes_read()); });
}

void Progress::finish() {
  if (!output_.terminal || finished_) return;
  finished_ = true;
  if (reader_ != nullptr) {
    records_ = reader_->lines_read();
    bytes_ = reader_->bytes_read();
  }
  if (mode_ == ProgressMode::on) {
    draw(clock_(), true);
    write("\n");
    set_progress_clear("");
  } else if (drawn_width_ > 0) {
    write(output_.escapes ? "\r\x1b[K" : "\r" + std::string(drawn_width_, ' ') + "\r");
    set_progress_clear("");
  }
  drawn_width_ = 0;
}

std::string Progress::line(std::int64_t now_ms, bool last) const { return compose(now_ms, last, false); }

std::string Progress::compose(std::int64_t now_ms, bool last, bool colour) const {
  // The rate since the first draw of the last few seconds (or the last draw before them, after a
  // pause), or over the whole run for the last line.
  const Sample* since = &samples_.front();
  for (const Sample& sample : samples_) {
    if (last || sample.ms >= now_ms) break;
    since = &sample;
    if (sample.ms >= now_ms - kRateWindowMs) break;
  }
  double seconds = static_cast<double>(now_ms - since->ms) / 1000.0;
  double record_rate = seconds > 0 ? static_cast<double>(records_ - since->records) / seconds : 0;
  double byte_rate = seconds > 0 ? static_cast<double>(bytes_ - since->bytes) / seconds : 0;
  bool with_bytes = bytes_ > 0 || total_bytes_.has_value();

  std::string text = fmt::format("{}: {} {}", program(), grouped(records_), noun_);
  if (with_bytes) text += ", " + metrics::format_value(static_cast<double>(bytes_), "Bytes");
  text += fmt::format(", {} {}/s", metrics::format_value(record_rate, "Count"), noun_);
  if (with_bytes) text += ", " + metrics::format_value(byte_rate, "Bytes/Second");

  // Percent and time left, from the bytes when their total is known, else from the records.
  std::optional<std::uint64_t> total = total_bytes_ ? total_bytes_ : total_records_;
  if (!total) return text;
  std::uint64_t done = total_bytes_ ? bytes_ : records_;
  double rate = total_bytes_ ? byte_rate : record_rate;
  std::uint64_t percent = *total == 0 ? 100 : std::min<std::uint64_t>(100, done * 100 / *total);
  std::string tail = fmt::format(" {}%", percent);
  if (!last && done < *total && rate > 0)
    tail += fmt::format(" {} left", clock_duration(static_cast<std::uint64_t>(static_cast<double>(*total - done) / rate + 0.5)));
  // The bar only where the whole line still fits.
  std::size_t width = metrics::display_width(text) + tail.size();
  if (width + 1 + kBarCells < static_cast<std::size_t>(output_.columns)) {
    std::size_t filled = static_cast<std::size_t>(percent) * kBarCells / 100;
    std::string bar = " ";
    if (colour) bar += "\x1b[36m";
    for (std::size_t i = 0; i < filled; ++i) bar += "\u2588";
    if (colour) bar += "\x1b[0m";
    for (std::size_t i = filled; i < kBarCells; ++i) bar += "\u2591";
    text += bar;
  }
  return text + tail;
}

void Progress::draw(std::int64_t now_ms, bool last) {
  // A line as wide as the terminal would wrap, and a carriage return would not reach its start.
  auto columns = static_cast<std::size_t>(std::max(1, output_.columns - 1));
  std::string plain = compose(now_ms, last, false);
  std::string text = output_.colour && metrics::display_width(plain) <= columns ? compose(now_ms, last, true)
                                                                               : metrics::truncate_to_width(plain, columns);
  std::size_t width = std::min(columns, metrics::display_width(plain));
  std::string out = "\r" + text;
  if (output_.escapes) out += "\x1b[K";
  else if (drawn_width_ > width) out += std::string(drawn_width_ - width, ' ');
  write(out);
  drawn_width_ = width;
  set_progress_clear(output_.escapes ? "\r\x1b[K" : "\r" + std::string(width, ' ') + "\r");

  last_draw_ms_ = now_ms;
  samples_.push_back({now_ms, records_, bytes_});
  // Keep the start (for the last line's rates) and the draws of the rate window, with the one
  // before it.
  while (samples_.size() > 3 && samples_[2].ms < now_ms - kRateWindowMs) samples_.erase(samples_.begin() + 1);
}

void Progress::write(const std::string& bytes) const {
  ssize_t ignored = ::write(output_.fd, bytes.data(), bytes.size());
  (void)ignored;
}

}  // namespace millrace::cli
