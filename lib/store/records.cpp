#include "store/records.h"

#include <algorithm>
#include <cstring>

#include "cli/error.h"
#include "store/codec.h"
#include "store/keys.h"

namespace millrace::store {
namespace {

// Block layout. DO NOT CHANGE.
//   header: layout (1), arrival ms (8), record count (4), data bytes (8)
//   each record: flags (1), partition key length (2), data length (4), partition key, data
constexpr std::uint8_t kBlockLayout = 1;
constexpr std::size_t kBlockHeader = 1 + 8 + 4 + 8;
constexpr std::size_t kRecordHeader = 1 + 2 + 4;
constexpr std::uint8_t kFlagJson = 1;

// How often a producer frees the reader slots of dead processes.
constexpr lines::EpochMs kReaderCheckMs = 10'000;

// Expired records trimmed per shard per commit: twice what a commit appends keeps retention
// ahead of any producer, and the floor lets a quiet stream catch up too.
constexpr std::uint64_t kTrimFloor = 256;

struct BlockHeader {
  lines::EpochMs arrival_ms;
  std::uint32_t count;
  std::uint64_t data_bytes;
};

BlockHeader decode_header(std::string_view block) {
  Decoder d(block, "record block");
  if (d.u8() != kBlockLayout) throw cli::Error(cli::Exit::unavailable, "", "corrupt store: unknown record block layout");
  BlockHeader h;
  h.arrival_ms = d.i64();
  h.count = d.u32();
  h.data_bytes = d.u64();
  return h;
}

// The records one commit appends to one shard, packed into a block.
struct BlockBuilder {
  std::string bytes;
  std::uint64_t first_counter = 0;  // 0: no block open
  std::uint32_t count = 0;
  std::uint64_t data_bytes = 0;

  void begin(lines::EpochMs arrival, std::uint64_t counter) {
    bytes.clear();
    Encoder(bytes).u8(kBlockLayout).i64(arrival).u32(0).u64(0);  // count and bytes: in finish()
    first_counter = counter;
    count = 0;
    data_bytes = 0;
  }
  void add(const Put& put) {
    Encoder(bytes)
        .u8(put.json ? kFlagJson : 0)
        .u16(static_cast<std::uint16_t>(put.partition_key.size()))
        .u32(static_cast<std::uint32_t>(put.data.size()))
        .bytes(put.partition_key)
        .bytes(put.data);
    ++count;
    data_bytes += put.data.size();
  }
  std::string_view finish() {
    std::string tail;
    Encoder(tail).u32(count).u64(data_bytes);
    bytes.replace(1 + 8, tail.size(), tail);
    first_counter = 0;
    return bytes;
  }
};

std::size_t record_size(const Put& put) { return kRecordHeader + put.partition_key.size() + put.data.size(); }

}  // namespace

struct Producer::Blocks {
  std::vector<BlockBuilder> per_shard;  // reused across commits: no allocation per record
};

Producer::Producer(Env& env, Notifier& notifier, std::string stream)
    : env_(env), notifier_(notifier), stream_(std::move(stream)), blocks_(std::make_unique<Blocks>()) {
  ReadTxn reader(env_);
  stream_or_throw(reader.renew(), stream_);
}

Producer::~Producer() = default;

void Producer::append(std::span<const Put> records, std::vector<Position>& placed, const Hook* hook) {
  // A long-running producer frees the reader slots of dead processes now and then: a slot left
  // by a killed reader pins the pages it saw, and the file would grow instead of reusing them.
  if (lines::EpochMs now = lines::now_ms(); now - readers_checked_ms_ >= kReaderCheckMs) {
    env_.check_readers();
    readers_checked_ms_ = now;
  }
  placed.resize(records.size());
  std::uint32_t stream_id = 0;
  env_.write([&](const Txn& txn) {
    // Read the catalog in this transaction: another process may have resharded or deleted the
    // stream since the last commit.
    StreamMeta stream = stream_or_throw(txn, stream_);
    std::vector<ShardMeta> shards = load_shards(txn, stream.id);
    OpenShards open(shards);
    lines::EpochMs arrival = std::max(lines::now_ms(), stream.last_arrival_ms);

    // Per shard, by its place in `shards` (indices have gaps once expired shards are gone).
    std::vector<BlockBuilder>& blocks = blocks_->per_shard;
    blocks.resize(std::max(blocks.size(), shards.size()));
    for (BlockBuilder& block : blocks) block.first_counter = 0;  // a rerun after MDB_MAP_FULL starts afresh
    std::vector<std::uint64_t> appended(shards.size(), 0);
    char key[keys::kRecordKeySize];
    auto flush = [&](std::size_t slot) {
      keys::record(key, stream.id, shards[slot].index, blocks[slot].first_counter);
      txn.put(txn.dbs().records, {key, sizeof key}, blocks[slot].finish());
    };
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Put& put = records[i];
      ShardMeta& shard = open.shard_for(put.hash);
      auto slot = static_cast<std::size_t>(&shard - shards.data());
      BlockBuilder& block = blocks[slot];
      if (block.first_counter != 0 && block.bytes.size() + record_size(put) > kBlockBytes) flush(slot);
      if (block.first_counter == 0) block.begin(arrival, shard.next_counter);
      block.add(put);
      placed[i] = Position{shard.index, shard.next_counter++};
      shard.bytes += put.data.size();
      ++appended[slot];
    }

    lines::EpochMs cutoff = arrival - stream.retention_ms;
    for (std::size_t slot = 0; slot < shards.size(); ++slot) {
      if (appended[slot] > 0) {
        flush(slot);
        save_shard(txn, stream.id, shards[slot]);
      }
      // Closed shards expire too, though nothing is appended to them.
      if (appended[slot] > 0 || !shards[slot].open)
        trim_shard(txn, stream.id, shards[slot], cutoff, std::max(kTrimFloor, 2 * appended[slot]));
    }
    stream.last_arrival_ms = arrival;
    save_stream(txn, stream);
    stream_id = stream.id;
    if (hook != nullptr) (*hook)(txn, placed, arrival);
  });
  notifier_.publish(stream_id);
  std::uint64_t written = 0;
  for (const Put& put : records) written += put.data.size();
  env_.wrote(written);
}

std::uint64_t trim_shard(const Txn& txn, std::uint32_t stream_id, ShardMeta& shard, lines::EpochMs cutoff,
                         std::uint64_t limit) {
  Cursor cursor(txn, txn.dbs().records);
  std::string prefix = keys::shard(stream_id, shard.index);
  std::uint64_t removed = 0;
  bool ok = cursor.seek(keys::record(stream_id, shard.index, shard.first_counter));
  while (ok && removed < limit && cursor.key().starts_with(prefix)) {
    BlockHeader h = decode_header(cursor.value());
    if (h.arrival_ms >= cutoff) break;
    shard.bytes -= std::min(shard.bytes, h.data_bytes);
    shard.first_counter = keys::record_counter(cursor.key()) + h.count;
    removed += h.count;
    cursor.del();
    ok = cursor.next();
  }
  if (!shard.open && shard.records() == 0 && shard.closed_ms < cutoff) {
    delete_shard(txn, stream_id, shard.index);
  } else if (removed > 0) {
    save_shard(txn, stream_id, shard);
  }
  return removed;
}

ShardCursor::ShardCursor(const Txn& txn, std::uint32_t stream_id, std::uint32_t shard)
    : cursor_(txn, txn.dbs().records), stream_id_(stream_id), shard_(shard),
      prefix_(keys::shard(stream_id, shard)) {}

bool ShardCursor::in_shard() const { return cursor_.key().starts_with(prefix_); }

bool ShardCursor::load_block() {
  if (!in_shard()) return false;
  block_ = cursor_.value();
  BlockHeader h = decode_header(block_);
  record_.arrival_ms = h.arrival_ms;
  record_.position = {shard_, keys::record_counter(cursor_.key())};
  left_ = h.count - 1;
  offset_ = kBlockHeader;
  load_record();
  return true;
}

void ShardCursor::load_record() {
  Decoder d(block_.substr(offset_), "record");
  record_.json = (d.u8() & kFlagJson) != 0;
  std::uint16_t key_size = d.u16();
  std::uint32_t data_size = d.u32();
  record_.partition_key = d.bytes(key_size);
  record_.data = d.bytes(data_size);
  next_offset_ = offset_ + kRecordHeader + key_size + data_size;
}

bool ShardCursor::seek(std::uint64_t counter) {
  // The block holding `counter` starts at or before it: find the first block starting after
  // it, then step back one.
  bool found = cursor_.seek(keys::record(stream_id_, shard_, counter + 1));
  if (!(found ? cursor_.prev() : cursor_.last()) || !load_block()) {
    // No block starts at or before `counter` in this shard: the first block, if any.
    if (!cursor_.seek(keys::record(stream_id_, shard_, 0))) return false;
    return load_block();
  }
  while (record_.position.counter < counter)
    if (!next()) return false;
  return true;
}

bool ShardCursor::next() {
  if (left_ == 0) return cursor_.next() && load_block();
  --left_;
  offset_ = next_offset_;
  ++record_.position.counter;
  load_record();
  return true;
}

std::uint64_t counter_at_time(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard, lines::EpochMs time) {
  std::uint64_t low = shard.first_counter, high = shard.next_counter;  // the answer is in [low, high]
  ShardCursor cursor(txn, stream_id, shard.index);
  while (low < high) {
    std::uint64_t middle = low + (high - low) / 2;
    // A record trimmed meanwhile counts as older than any time asked for.
    if (!cursor.seek(middle) || cursor.record().arrival_ms < time) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

}  // namespace millrace::store
