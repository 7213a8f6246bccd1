#include "window/run.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/signals.h"

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
  lines::Validator validator;
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
  auto bad = [&](const lines::Line& line, const std::string& what) {
    if (options.on_error == OnError::fail) {
      out.flush();
      late.flush();
      throw cli::Error(cli::Exit::data, line.where(), what);
    }
    cli::warn(line.where(), "{} (skipped)", what);
    ++stats.skipped;
  };
  for (bool more = true; more && !cli::stop_requested();) {
    while (auto line = reader.next()) {
      if (line->too_long) {
        bad(*line, "line too long");
        continue;
      }
      if (auto error = validator.parse(line->text)) {
        bad(*line, lines::describe(error));
        continue;
      }
      simdjson::dom::element record;
      if (!validator.root(record)) {
        bad(*line, "integers beyond 64 bits cannot be aggregated");
        continue;
      }
      lines::EpochMs time = 0;
      if (options.format == InputFormat::envelope) {
        simdjson::dom::element ts, data;
        if (record["ts"].get(ts) || record["data"].get(data) || !ts.is_string()) {
          bad(*line, "not an envelope with \"ts\" and \"data\"");
          continue;
        }
        auto arrived = lines::parse_iso8601(ts.get_string().value_unsafe());
        if (!arrived) {
          bad(*line, "envelope \"ts\" is not an ISO 8601 time");
          continue;
        }
        time = *arrived;
        record = data;
      }
      if (options.time_field) {
        auto value = options.time_field->find(record);
        auto parsed = value ? lines::time_value(*value) : std::nullopt;
        if (!parsed) {
          bad(*line, fmt::format("--time field {} is missing or not a time", options.time_field->spec()));
          continue;
        }
        time = *parsed;
      } else if (clock) {
        time = lines::now_ms();
      }
      if (options.where && !options.where->matches(record)) {
        ++stats.filtered;
        continue;
      }
      Engine::Outcome outcome = engine.add(record, time);
      if (outcome.status == Engine::Added::wrong_type) {
        bad(*line, fmt::format("a value of the wrong type for {}", outcome.aggregate));
        continue;
      }
      if (outcome.status == Engine::Added::late) {
        ++stats.late;
        late.add(line->text);
        continue;
      }
      ++stats.records;
      if (time > newest) {
        newest = time;
        newest_seen_at = lines::now_ms();
      }
      if (!clock) engine.advance(newest - options.lateness_ms, out.buffer());
      out.maybe_flush();
    }
    // The input pauses: deliver what is due, then wait for more, or for the next window's end.
    if (clock) engine.advance(idle_watermark(), out.buffer());
    out.flush();
    late.flush();
    if (clock || arrival) {
      while (auto end = engine.next_end()) {
        if (reader.wait(*end - idle_watermark()) || cli::stop_requested()) break;
        engine.advance(idle_watermark(), out.buffer());
        out.flush();
      }
    }
    if (!cli::stop_requested()) more = reader.fill();
  }
  engine.finish(out.buffer());
  out.flush();
  late.flush();
  return stats;
}

}  // namespace millrace::window
