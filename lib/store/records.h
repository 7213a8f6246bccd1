// Records: the `records` database, the producer that appends to it, and cursors that read it.
//
// Records are stored in blocks: the records one commit appends to one shard, consecutive in
// counter, packed into LMDB entries of at most kBlockBytes (a record larger than that has a
// block of its own). Key: stream id, shard index, the counter of the block's first record
// (keys.h), big-endian, so a cursor walks a shard in order. Value: the arrival time (one per
// commit), the record count and data bytes, then each record's flags, partition key and data,
// byte for byte.
//
// Why blocks: LMDB's cost is per entry (a B-tree descent and page copy-on-write), so one entry
// per record made the put path several times slower than parsing the input. Blocks stay below
// LMDB's inline node size, so they live in leaf pages and never need runs of overflow pages.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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

// A block's size: well below LMDB's inline node limit (2040 bytes on 4 KiB pages), so blocks
// never need overflow pages. Measured on 1M Wild Rydes records into 4 shards: 1000-byte blocks
// put faster than 2000-byte ones (pages fill better: leaf pages split, and tails of four shards
// share pages) and cost no read speed.
inline constexpr std::size_t kBlockBytes = 1000;

struct Record {
  Position position;
  lines::EpochMs arrival_ms;
  std::string_view partition_key;
  std::string_view data;
  bool json;
};

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
  ~Producer();

  // Work done in an append's transaction once its records are placed (their metrics,
  // metrics/kinesis.h), given where each went and their arrival time. Like the body of
  // Env::write, it may run more than once for one append, and must start afresh each time.
  using Hook = std::function<void(const Txn& txn, std::span<const Position> placed, lines::EpochMs arrival)>;

  // Appends `records` in one transaction, in order, each to the open shard whose hash-key range
  // holds its hash, and sets placed[i] to where records[i] went. In the same transaction it
  // trims expired records from the head of each shard it wrote to, a bounded number per shard,
  // so retention is enforced without a pause, and runs `hook`, if given. Throws
  // cli::Error(no_input) when the stream was deleted meanwhile; std::system_error when the
  // commit fails (nothing of it is kept).
  void append(std::span<const Put> records, std::vector<Position>& placed, const Hook* hook = nullptr);

 private:
  Env& env_;
  Notifier& notifier_;
  std::string stream_;
  struct Blocks;
  std::unique_ptr<Blocks> blocks_;
  lines::EpochMs readers_checked_ms_ = 0;
};

// Trims whole blocks older than `cutoff` from the head of `shard`, until at least `limit`
// records are gone or none is expired, and saves the shard; a closed shard left empty and
// closed before `cutoff` is removed from the catalog. Returns how many records were removed.
std::uint64_t trim_shard(const Txn& txn, std::uint32_t stream_id, ShardMeta& shard, lines::EpochMs cutoff,
                         std::uint64_t limit);

// A cursor over one shard's records within a transaction. The records' views point into the
// transaction's pages.
class ShardCursor {
 public:
  ShardCursor(const Txn& txn, std::uint32_t stream_id, std::uint32_t shard);
  // Positions at the first record whose counter is >= `counter`; false when there is none.
  bool seek(std::uint64_t counter);
  bool next();
  const Record& record() const { return record_; }

 private:
  bool load_block();   // decodes the header of the block under the cursor
  void load_record();  // decodes the record at offset_
  bool in_shard() const;

  Cursor cursor_;
  std::uint32_t stream_id_, shard_;
  std::string prefix_;
  std::string_view block_;
  std::size_t offset_ = 0, next_offset_ = 0;
  std::uint32_t left_ = 0;  // records of the block after the current one
  Record record_{};
};

// The counter of the first record of the shard that arrived at or after `time` (AT_TIMESTAMP),
// by binary search: arrival times never decrease within a shard. shard.next_counter when none.
std::uint64_t counter_at_time(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard, lines::EpochMs time);

}  // namespace millrace::store
