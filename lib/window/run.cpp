#include "window/run.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/signals.h"
#include "window/line_parser.h"
#include "window/pipeline.h"

namespace millrace::window {
namespace {

class LateFile {
 public:
  explicit LateFile(const std::optional<std::string>& path) {
    if (!path) return;
    fd_ = ::open(path->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw cli::Error(cli::Exit::cant_create, *path, std::strerror(errno));
    writer_.emplace(fd_);
  }
  ~LateFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  void add(std::string_view line) {
    if (!writer_) return;
    writer_->buffer().append(line).push_back('\n');
    writer_->maybe_flush();
  }
  void flush() {
    if (writer_) writer_->flush();
  }

 private:
  int fd_ = -1;
  std::optional<lines::Writer> writer_;
};

}  // namespace

RunStats run(lines::Reader& reader, Engine& engine, const RunOptions& options, lines::Writer& out) {
  RunStats stats;
  LateFile late(options.late_file);
  bool clock = !options.time_field && options.format == InputFormat::data;
  // Arrival time is processing time too: while the input is idle it goes on with the clock from
  // the newest arrival seen, so live envelopes' windows close on time, and a replay of old
  // envelopes through a slow pipe does not close windows whose records are still coming.
  bool arrival = !options.time_field && options.format == InputFormat::envelope;
  lines::EpochMs newest = INT64_MIN, newest_seen_at = 0;  // event or arrival time, and when read
  auto idle_watermark = [&] {
    lines::EpochMs now = lines::now_ms();
    return clock ? now : newest == INT64_MIN ? INT64_MIN : newest + (now - newest_seen_at);
  };
  auto bad = [&](const lines::Line& line, std::string_view what) {
    if (options.on_error == OnError::fail) {
      out.flush();
      late.flush();
      throw cli::Error(cli::Exit::data, line.where(), std::string(what));
    }
    cli::warn(line.where(), "{} (skipped)", what);
    ++stats.skipped;
  };
  // The windows take the records of a batch in order, as the lines came.
  auto run_windows = [&](const Batch& batch) {
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
      const ParsedLine& parsed = batch.parsed[i];
      if (parsed.status == ParsedLine::Status::bad) {
        bad(batch.lines[i], parsed.error);
        continue;
      }
      if (parsed.status == ParsedLine::Status::filtered) {
        ++stats.filtered;
        continue;
      }
      lines::EpochMs time = clock ? lines::now_ms() : parsed.time;
      Engine::Outcome outcome = engine.add(parsed.record, time);
      if (outcome.status == Engine::Added::too_many_groups) {
        // The windows that this record's time closes may make room: close them first, as adding
        // it would have (it is in none of them), and try again.
        lines::EpochMs due = clock ? time : std::max(newest, time) - options.lateness_ms;
        if (due > engine.watermark()) {
          engine.advance(due, out.buffer());
          outcome = engine.add(parsed.record, time);
        }
      }
      if (outcome.status == Engine::Added::wrong_type) {
        bad(batch.lines[i], fmt::format("a value of the wrong type for {}", outcome.aggregate));
        continue;
      }
      if (outcome.status == Engine::Added::too_many_groups) {
        // Not the line's fault, so not skipped under --on-error skip: the windows would be wrong.
        out.flush();
        late.flush();
        throw cli::Error(cli::Exit::data, batch.lines[i].where(),
                         fmt::format("{} groups open at once is the most --max-groups allows (a group per "
                                     "open window and --by value): raise --max-groups (see ks-window(1), MEMORY)",
                                     engine.max_groups()));
      }
      if (outcome.status == Engine::Added::late) {
        ++stats.late;
        late.add(batch.lines[i].text);
        continue;
      }
      ++stats.records;
      if (time > newest) {
        newest = time;
        if (arrival) newest_seen_at = lines::now_ms();
      }
      if (!clock) engine.advance(newest - options.lateness_ms, out.buffer());
      out.maybe_flush();
    }
    // What one read of the input brought is done: deliver what is due.
    if (clock) engine.advance(idle_watermark(), out.buffer());
    out.flush();
    late.flush();
  };
  // Parsing runs ahead of the windows by up to two batches per parsing thread (the workers and
  // this one): enough that a worker never waits for the reader while the windows catch up, few
  // enough to keep memory small.
  std::size_t workers = Pipeline::default_workers();
  Pipeline pipeline(LineParser(engine.projection(), options.format, options.time_field,
                               options.where ? &*options.where : nullptr),
                    workers, 2 * (workers + 1));
  for (bool more = true; more && !cli::stop_requested();) {
    pipeline.submit(reader);
    // While input keeps coming, read on and let the windows follow; when it pauses, bring the
    // windows up to date and wait for more, or for the next window's end.
    bool pause = !reader.wait(0);
    while (!pipeline.empty() && (pause || pipeline.full())) run_windows(pipeline.take());
    if (pause && (clock || arrival)) {
      while (auto end = engine.next_end()) {
        if (reader.wait(*end - idle_watermark()) || cli::stop_requested()) break;
        engine.advance(idle_watermark(), out.buffer());
        out.flush();
      }
    }
    if (!cli::stop_requested()) more = reader.fill();
  }
  while (!pipeline.empty()) run_windows(pipeline.take());
  engine.finish(out.buffer());
  out.flush();
  late.flush();
  return stats;
}

}  // namespace millrace::window
