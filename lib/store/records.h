// Records: the `records` database, the producer that appends to it, and cursors that read it.
//
// Key: stream id, shard index, counter (keys.h). Value: flags, arrival time, partition key,
// data. A record's data is stored byte for byte; the flags say whether it is JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "store/env.h"
#include "store/hash_key.h"
#include "store/notify.h"
#include "store/sequence.h"
#include "store/streams.h"

namespace millrace::store {

struct Record {
  Position position;
  lines::EpochMs arrival_ms;
  std::string_view partition_key;
  std::string_view data;
  bool json;
};

// Reads a stored record; its views point into the transaction's pages.
Record decode_record(std::string_view key, std::string_view value);
// The arrival time alone, without decoding the rest.
lines::EpochMs record_arrival(std::string_view value);

// A record to append: routed by `hash`, which is MD5(partition key) or an explicit hash key.
struct Put {
  HashKey hash;
  std::string_view partition_key;
  std::string_view data;
  bool json;
};

// Appends records to one stream, and tells its followers after each commit. Used by one
// thread at a time.
class Producer {
 public:
  // Throws cli::Error(no_input) when the stream does not exist.
  Producer(Env& env, Notifier& notifier, std::string stream);

  // Appends `records` in one transaction, in order, each to the open shard whose hash-key range
  // holds its hash, and sets placed[i] to where records[i] went. In the same transaction it
  // trims expired records from the head of each shard it wrote to, a bounded number per shard,
  // so retention is enforced without a pause. Throws cli::Error(no_input) when the stream was
  // deleted meanwhile; std::system_error when the commit fails (nothing of it is kept).
  void append(std::span<const Put> records, std::vector<Position>& placed);

 private:
  Env& env_;
  Notifier& notifier_;
  std::string stream_;
  std::string value_;  // scratch for one record's value
};

// Trims records older than `cutoff` from the head of `shard`, at most `limit` of them, and
// updates shard's counters and bytes (the caller saves it). Returns how many were removed.
std::uint64_t trim_shard(const Txn& txn, std::uint32_t stream_id, ShardMeta& shard, lines::EpochMs cutoff,
                         std::uint64_t limit);

// A cursor over one shard's records within a transaction.
class ShardCursor {
 public:
  ShardCursor(const Txn& txn, std::uint32_t stream_id, std::uint32_t shard);
  // Positions at the first record whose counter is >= `counter`; false when there is none.
  bool seek(std::uint64_t counter);
  bool next();
  // Deletes the current record and moves to the next one.
  bool remove_and_next();
  Record record() const { return decode_record(cursor_.key(), cursor_.value()); }
  std::string_view value() const { return cursor_.value(); }

 private:
  bool in_shard() const;
  Cursor cursor_;
  std::uint32_t stream_id_, shard_;
  std::string prefix_;
};

// The counter of the first record of the shard that arrived at or after `time` (AT_TIMESTAMP),
// by binary search: arrival times never decrease within a shard. shard.next_counter when none.
std::uint64_t counter_at_time(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard, lines::EpochMs time);

}  // namespace millrace::store
