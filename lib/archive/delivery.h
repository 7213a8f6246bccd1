// Delivery: exactly once from a consumer group into the bucket, across crashes and reruns.
//
// Records of a group (fh-archive -s STREAM -g GROUP, or envelopes that name their group) are
// buffered per partition, so one shard's records reach objects out of order. The protocol:
//   1. before objects are renamed into place, their entries (key, partition, and the range of
//      each shard's records in them) are committed to the store's archive log;
//   2. the objects are written, fsynced and renamed, and their directories fsynced;
//   3. each group's checkpoint moves, per shard, to just before the oldest record still in a
//      buffer (or to the newest record read, when none is buffered), and the entries the
//      checkpoints now cover are dropped, in one commit.
// A crash anywhere leaves the checkpoint before every record not yet in an object. On restart,
// an entry whose object exists says that its records are archived: read again, they are
// skipped. An entry whose object does not exist is dropped with its temporary file: its records
// come again and go into new objects. So every record is in exactly one object. A rerun must
// partition as the run it follows did (the same --partition-by), as the skipped records are
// recognised by their partition.
//
// Records without a group (plain lines, envelopes without "group") are not tracked.
// One per process; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archive/bucket.h"
#include "metrics/recorder.h"
#include "store/archive_log.h"
#include "store/env.h"
#include "store/sequence.h"

namespace millrace::archive {

// (source, shard) → a counter.
using ShardCounters = std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint64_t>;

class Delivery {
 public:
  // `open_store` gives the store when the first record of a group comes; it is called once.
  Delivery(Bucket& bucket, std::function<store::Env&()> open_store);
  ~Delivery();

  // The store, opened (and the crash of an earlier run recovered from) on first use.
  store::Env& store();

  // The id of a source: a stream, and the group reading it (empty: none).
  std::uint32_t source(std::string_view stream, std::string_view group);
  const std::string& stream(std::uint32_t source) const { return sources_[source].stream; }
  const std::string& group(std::uint32_t source) const { return sources_[source].group; }

  // Notes that the record at `position` of `source`, of `partition`, was read. True when it is
  // in an object already (written before a crash), and must be skipped.
  bool read(std::uint32_t source, store::Position position, std::string_view partition);

  // Step 1: commits the entries of objects about to be renamed (those with records of a group).
  void begin(const std::vector<store::PendingObject>& objects);
  // Step 3, after the objects are durable: `oldest_buffered` holds, per source and shard, the
  // counter of the oldest record still in a buffer. The commit writes the metrics recorded
  // since the last one (recorder()).
  void commit(const ShardCounters& oldest_buffered);

  // The recorder of the metrics of the groups' deliveries (metrics/firehose.h).
  metrics::Recorder& recorder() { return recorder_; }

 private:
  struct Source {
    std::string stream, group;
  };
  // A recovered object's records of one shard: skipped when read again.
  struct Archived {
    std::uint64_t first, last;
    std::string partition;
  };
  void open();

  Bucket& bucket_;
  std::function<store::Env&()> open_store_;
  store::Env* env_ = nullptr;
  store::ArchiveLog log_;
  std::vector<Source> sources_;
  ShardCounters newest_read_;  // grouped sources only
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<Archived>> archived_;
  std::vector<store::PendingObject> pending_;  // entries in the log, by this run or recovered
  metrics::Recorder recorder_;
};

}  // namespace millrace::archive
