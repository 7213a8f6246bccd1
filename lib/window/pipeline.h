// Pipeline: ks-window's lines parsed on worker threads, handed back in input order.
//
// The thread that reads input (and runs the windows) takes the whole lines that one read of
// the input brought as a batch, together with the buffer that holds them; a free worker parses
// the batch, every line with its own LineParser; take() returns batches in the order they were
// submitted, and rather than wait for one it parses a batch no worker has started. Parsing and
// validating JSON is most of ks-window's work, and lines do not depend on each other until they
// reach the windows, so it spreads over the machine's cores while the windows see every record
// in input order, as one thread would give them.
//
// One worker fewer than the cores, as the reading thread parses too: a thread more than the
// cores would take its share of a core from the reading thread, whose work (reading, the
// windows) cannot be spread, and the workers would then wait for it.
//
// Memory: at most `depth` batches exist at once, each of one read of input (Reader's buffer) and
// its parsed lines; nothing grows with the input.
//
// One thread (the one that owns the Reader) calls submit() and take(); the workers are internal.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lines/reader.h"
#include "window/line_parser.h"
#include "window/value.h"

namespace millrace::window {

// Lines from one read of the input, and what parsing made of them.
struct Batch {
  lines::Buffer buffer;             // the Reader's buffer, holding the lines' text
  std::string file;                 // the lines' file; their Line::file views it
  std::string_view block;           // the lines' text, one after the other (Reader::block)
  std::vector<lines::Line> lines;
  std::vector<ParsedLine> parsed;   // per line
  std::vector<Value> values;        // per line, the parser's projection().value_count() of them
  Arena arena;                      // the records' bytes, and errors' text
  std::exception_ptr failure;       // what parsing threw (out of memory), for take() to rethrow
  bool parsed_all = false;          // guarded by Pipeline::mutex_
};

class Pipeline {
 public:
  // `workers` threads (none: take() parses every batch), each parsing with a copy of `parser`;
  // at most `depth` batches submitted and not yet taken (REQUIRES: depth >= 1).
  Pipeline(const LineParser& parser, std::size_t workers, std::size_t depth);
  // Stops the workers (each after the batch it is parsing) and waits for them.
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // The number of workers for this machine: one fewer than the cores it may use (none on one
  // core: take() parses every batch), and at most kMaxWorkers.
  static std::size_t default_workers();
  // Beyond this many workers, the one thread that reads and runs the windows is the bottleneck.
  static constexpr std::size_t kMaxWorkers = 3;

  // Takes the lines `reader` holds (those next() returns before fill() is needed) as a batch
  // for the workers, and its buffer with them. False, taking nothing, when it holds none.
  // REQUIRES: full() is false.
  bool submit(lines::Reader& reader);
  // Whether `depth` batches are submitted and not taken.
  bool full() const { return queue_.size() >= depth_; }
  bool empty() const { return queue_.empty(); }

  // The oldest batch submitted, once parsed, parsing batches no worker has started (the oldest
  // first) while it is not; valid until the next take(). Rethrows what parsing it threw.
  // REQUIRES: !empty().
  const Batch& take();

 private:
  void work(LineParser parser);
  // Parses `batch` with `parser` and marks it parsed.
  void parse(Batch& batch, LineParser& parser);
  std::unique_ptr<Batch> fresh_batch();

  std::size_t depth_;
  std::deque<std::unique_ptr<Batch>> queue_;  // submitted, in input order
  std::unique_ptr<Batch> taken_;              // the last one take() returned
  std::vector<std::unique_ptr<Batch>> spare_; // batches to reuse, buffers and all
  LineParser helper_;                         // for take() to parse with

  std::mutex mutex_;
  std::condition_variable work_ready_;   // to workers: todo_ has a batch, or stopping_
  std::condition_variable batch_parsed_;  // to the caller of take()
  std::deque<Batch*> todo_;               // submitted, not yet picked by a worker
  bool stopping_ = false;
  std::vector<std::thread> workers_;      // last: they start once the rest is ready
};

}  // namespace millrace::window
