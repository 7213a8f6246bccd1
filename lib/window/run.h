// The loop of ks-window: lines in, windows out.
//
// Time is the clock when a line is read (processing time, as KDA's ROWTIME), the envelope's
// arrival time with envelopes (processing time too), or a field of the record (event time,
// --time) with a watermark that trails the largest time seen by the lateness. Windows close as
// the watermark passes their end; in processing time a timer also closes them while the input
// is idle: with the clock, or with arrival times, from the newest arrival on as the clock runs.
// At the end of the input every open window is emitted.
//
// Lines are parsed on worker threads (window/pipeline.h: one per core, up to four), a few reads
// of input ahead of the windows, which take the records in input order on the calling thread:
// output, late records, counts and diagnostics are those of one thread going line by line. The
// clock of processing time is read when a record reaches its window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lines/input.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "window/engine.h"
#include "expr/condition.h"

namespace millrace::window {

using lines::InputFormat;
using lines::OnError;

struct RunOptions {
  std::optional<expr::Condition> where;
  std::optional<lines::Field> time_field;   // event time
  std::int64_t lateness_ms = 0;
  std::optional<std::string> late_file;
  InputFormat format = InputFormat::data;
  OnError on_error = OnError::fail;
};

struct RunStats {
  std::uint64_t records = 0, filtered = 0, late = 0, skipped = 0;
};

// Feeds every line of `reader` to `engine`, writing windows to `out` as they close. Throws
// cli::Error(data) at a bad line under OnError::fail, and at a record that would open more
// groups than the engine's max_groups whatever OnError says, after emitting what was due
// before it.
RunStats run(lines::Reader& reader, Engine& engine, const RunOptions& options, lines::Writer& out);

}  // namespace millrace::window
