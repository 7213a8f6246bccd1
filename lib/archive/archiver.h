// Archiver: records into per-partition buffers, and buffers into objects, as Firehose's
// delivery to S3.
//
// Each partition (the values of the --partition-by keys; error records by their error output
// type) has its own buffer: an object being written, its lines compressed into a draft file as
// they come (object_stream.h). A buffer is complete when the next record would take it past
// `buffer_bytes` (counted on the uncompressed lines, so an object holds at most that many bytes
// of lines, or a single record larger than that), or when it has been open for `interval_ms`,
// or at flush(…, all). Its prefix and name take the arrival time of its oldest record. Buffers
// closed together have their entries committed (delivery.h), then go to the Publisher
// (publisher.h), which makes them objects on a thread of its own, once their last steps are
// compressed, while records go on coming; the groups' checkpoints move at the flushes that find
// objects published.
//
// Compression: without --partition-by, the records' buffer has a parallel compressor (zstd's
// own threads, compress.h); with it, each partition's buffer has a single one, its steps
// compressed by the Workers (workers.h), as many compressors with threads of their own would
// not fit in memory. Error buffers have single ones.
//
// Memory: per open buffer, at most a step of lines (256 KiB) and, once a step has been
// compressed, a compressor (for a single one, 360 KiB at level 3) and a descriptor; whatever
// --buffer-size. Besides, the steps waiting for the workers (32 at most, 8 MiB). One thread
// calls the Archiver.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "archive/bucket.h"
#include "archive/compress.h"
#include "archive/delivery.h"
#include "archive/error_record.h"
#include "archive/object_name.h"
#include "archive/object_stream.h"
#include "archive/prefix.h"
#include "archive/publisher.h"
#include "archive/workers.h"
#include "lines/json.h"
#include "lines/time.h"
#include "metrics/firehose.h"
#include "store/env.h"

namespace millrace::archive {

struct ArchiveOptions {
  std::vector<std::pair<std::string, lines::Field>> partition_by;  // key name, field
  std::string prefix;  // empty: default_prefix()
  std::string error_prefix = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/";
  std::uint64_t buffer_bytes = 5ull << 20;  // Firehose's default buffer size
  std::int64_t interval_ms = 300'000;       // Firehose's default buffer interval
  Compression compression = Compression::zstd;
  int level = 3;  // zstd's default level
  std::string name = "archive";
  store::Sync sync = store::Sync::full;
};

// A --partition-by argument: "NAME=FIELD", or a top-level FIELD that names its key. NAME is
// [A-Za-z0-9_-]+. Throws cli::Error(usage).
std::pair<std::string, lines::Field> partition_key_argument(const std::string& spec);
// The prefix when none is given: with partition keys, Hive-style NAME=VALUE directories (so
// that Athena and DuckDB find the partitions), then the hour, as Firehose's default.
std::string default_prefix(const std::vector<std::pair<std::string, lines::Field>>& partition_by);

// --buffer-size: a size from 1 MiB to 128 MiB, Firehose's limits. Throws cli::Error(usage).
std::uint64_t buffer_size_argument(const std::string& text);
// --buffer-interval: from 0 (an object per read of the input) to 900 s, Firehose's limits.
// Throws cli::Error(usage).
std::int64_t buffer_interval_argument(std::int64_t ms);

// Where a record came from, when it came from a stream.
struct Origin {
  std::uint32_t source;  // Delivery::source
  store::Position position;
};

struct ArchiveStats {
  std::uint64_t records = 0;   // delivered to objects
  std::uint64_t errors = 0;    // delivered under the error prefix
  std::uint64_t skipped = 0;   // read again after a crash, already in an object
  std::uint64_t objects = 0;
  std::uint64_t bytes_in = 0;  // lines, uncompressed
  std::uint64_t bytes_out = 0;
};

class Archiver {
 public:
  // Throws cli::Error(usage) for a template that is not one, or a --prefix that does not use
  // every partition key.
  Archiver(Bucket& bucket, Delivery& delivery, const ArchiveOptions& options);
  // What is not flushed and written is lost, as in a crash.
  ~Archiver() = default;

  // Takes the record `data`, which `parsed` has just validated as JSON (its partition keys are
  // read there). A record without one of its partition keys goes to the error prefix instead.
  void add(std::string_view data, lines::Validator& parsed, lines::EpochMs arrival, const std::optional<Origin>& origin);
  // Takes a record that cannot be delivered: its error record goes to the error prefix.
  void add_error(const ErrorRecord& error, const std::optional<Origin>& origin);

  // Whether a buffer is complete and waits for flush().
  bool has_full() const { return !full_.empty(); }
  // When the oldest open buffer is due, by the clock (lines::now_ms).
  std::optional<lines::EpochMs> next_due() const;
  // Closes the complete buffers and those due at `now`, and commits the groups' checkpoints when
  // objects have been published; with `all`, closes every buffer, waits until all are
  // published, and commits.
  void flush(lines::EpochMs now, bool all);

  const ArchiveStats& stats() const { return stats_; }

 private:
  struct Range {
    std::uint32_t source, shard;
    std::uint64_t first, last;
  };
  struct Buffer {
    explicit Buffer(ObjectStream object) : stream(std::move(object)) {}
    std::string partition;            // its id: "=" and the encoded values, or "!" and an error type
    std::vector<std::string> values;  // encoded, for the prefix
    std::optional<Failure> failure;   // an error buffer
    ObjectStream stream;
    std::uint64_t records = 0;
    lines::EpochMs oldest = INT64_MAX;  // arrival
    lines::EpochMs opened_at = 0;       // clock
    std::vector<Range> ranges;
    std::optional<store::Position> first, last;
    bool all_from_streams = true;
  };
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using Buffers = std::unordered_map<std::string, Buffer, TextHash, std::equal_to<>>;

  // The buffer for partition_ (values_, failure), with room for `bytes` more.
  Buffer& buffer_for(std::size_t bytes, std::optional<Failure> failure);
  void note(Buffer& buffer, lines::EpochMs arrival, const std::optional<Origin>& origin);
  // Counts a record of a group taken (IncomingRecords), and makes the metrics at the first.
  void taken(std::string_view data, const std::optional<Origin>& origin);
  // Commits the entries of `buffers`, ended, and hands them to the publisher.
  void close(std::vector<Buffer> buffers);
  // Takes note of the objects published since the last call; whether there were any.
  bool collect_published();
  // Commits the checkpoints that the objects published allow.
  void commit();

  Bucket& bucket_;
  Delivery& delivery_;
  const ArchiveOptions& options_;
  Prefix prefix_, error_prefix_;
  std::optional<CompressorPool> compressors_;  // none without compression
  std::optional<Workers> workers_;             // none on one core
  Buffers open_;
  std::uint64_t buffers_opened_ = 0;
  std::vector<Buffer> full_;  // ended
  // The ranges of the records of group sources in objects closed, not yet published, by id.
  std::unordered_map<std::uint64_t, std::vector<Range>> unpublished_;
  // With a group: its metrics, the records taken since the last commit, and what the metrics
  // need of the objects closed, not yet published, by id.
  struct Closed {
    std::uint64_t records;
    lines::EpochMs opened_at;
  };
  std::optional<metrics::DeliveryMetrics> metrics_;
  std::uint64_t incoming_records_ = 0, incoming_bytes_ = 0;
  std::unordered_map<std::uint64_t, Closed> closed_;
  std::string partition_, scratch_, error_line_;
  std::vector<std::string> values_;
  ArchiveStats stats_;
  Publisher publisher_;
};

}  // namespace millrace::archive
