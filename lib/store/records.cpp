#include "store/records.h"

#include <algorithm>
#include <cstring>

#include "cli/error.h"
#include "store/codec.h"
#include "store/keys.h"

namespace millrace::store {
namespace {

// Value layout: flags (1), arrival ms (8), partition key length (2), partition key, data.
// DO NOT CHANGE.
constexpr std::size_t kValueHeader = 1 + 8 + 2;
constexpr std::uint8_t kFlagJson = 1;

// Expired records trimmed per shard per commit: twice what a commit appends keeps retention
// ahead of any producer, and the floor lets a quiet stream catch up too.
constexpr std::uint64_t kTrimFloor = 256;

void encode_value(std::string& out, lines::EpochMs arrival, const Put& put) {
  out.clear();
  Encoder(out)
      .u8(put.json ? kFlagJson : 0)
      .i64(arrival)
      .u16(static_cast<std::uint16_t>(put.partition_key.size()))
      .bytes(put.partition_key)
      .bytes(put.data);
}

}  // namespace

Record decode_record(std::string_view key, std::string_view value) {
  Decoder k(key, "record key");
  k.u32();
  Record r;
  r.position.shard = k.u32();
  r.position.counter = k.u64();
  Decoder d(value, "record");
  r.json = (d.u8() & kFlagJson) != 0;
  r.arrival_ms = d.i64();
  r.partition_key = d.str();
  r.data = d.rest();
  return r;
}

lines::EpochMs record_arrival(std::string_view value) {
  Decoder d(value, "record");
  d.u8();
  return d.i64();
}

Producer::Producer(Env& env, Notifier& notifier, std::string stream)
    : env_(env), notifier_(notifier), stream_(std::move(stream)) {
  MDB_txn* txn = env_.begin(MDB_RDONLY);
  try {
    stream_or_throw(Txn(txn, env_.dbs()), stream_);
  } catch (...) {
    mdb_txn_abort(txn);
    throw;
  }
  mdb_txn_abort(txn);
}

void Producer::append(std::span<const Put> records, std::vector<Position>& placed) {
  placed.resize(records.size());
  std::uint32_t stream_id = 0;
  env_.write([&](const Txn& txn) {
    // Read the catalog in this transaction: another process may have resharded or deleted the
    // stream since the last commit.
    StreamMeta stream = stream_or_throw(txn, stream_);
    std::vector<ShardMeta> shards = load_shards(txn, stream.id);
    std::vector<ShardMeta*> open;
    for (ShardMeta& shard : shards)
      if (shard.open) open.push_back(&shard);
    std::sort(open.begin(), open.end(), [](auto* a, auto* b) { return a->range.start < b->range.start; });
    std::vector<std::uint64_t> appended(shards.size(), 0);

    lines::EpochMs arrival = std::max(lines::now_ms(), stream.last_arrival_ms);
    char key[keys::kRecordKeySize];
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Put& put = records[i];
      auto it = std::upper_bound(open.begin(), open.end(), put.hash,
                                 [](HashKey h, const ShardMeta* s) { return h < s->range.start; });
      ShardMeta& shard = **(it - 1);  // open shards cover the whole hash-key space
      placed[i] = Position{shard.index, shard.next_counter++};
      keys::record(key, stream.id, shard.index, placed[i].counter);
      encode_value(value_, arrival, put);
      txn.put(txn.dbs().records, {key, sizeof key}, value_);
      shard.bytes += put.data.size();
      ++appended[shard.index];
    }

    lines::EpochMs cutoff = arrival - stream.retention_ms;
    for (ShardMeta& shard : shards) {
      if (appended[shard.index] == 0) continue;
      trim_shard(txn, stream.id, shard, cutoff, std::max(kTrimFloor, 2 * appended[shard.index]));
      save_shard(txn, stream.id, shard);
    }
    stream.last_arrival_ms = arrival;
    save_stream(txn, stream);
    stream_id = stream.id;
  });
  notifier_.publish(stream_id);
}

std::uint64_t trim_shard(const Txn& txn, std::uint32_t stream_id, ShardMeta& shard, lines::EpochMs cutoff,
                         std::uint64_t limit) {
  ShardCursor cursor(txn, stream_id, shard.index);
  std::uint64_t removed = 0;
  for (bool ok = cursor.seek(shard.first_counter); ok && removed < limit; ++removed) {
    Record record = cursor.record();
    if (record.arrival_ms >= cutoff) break;
    shard.bytes -= std::min<std::uint64_t>(shard.bytes, record.data.size());
    shard.first_counter = record.position.counter + 1;
    ok = cursor.remove_and_next();
  }
  return removed;
}

ShardCursor::ShardCursor(const Txn& txn, std::uint32_t stream_id, std::uint32_t shard)
    : cursor_(txn, txn.dbs().records), stream_id_(stream_id), shard_(shard), prefix_(keys::record(stream_id, shard, 0)) {
  prefix_.resize(8);
}

bool ShardCursor::in_shard() const { return cursor_.key().starts_with(prefix_); }

bool ShardCursor::seek(std::uint64_t counter) {
  return cursor_.seek(keys::record(stream_id_, shard_, counter)) && in_shard();
}

bool ShardCursor::next() { return cursor_.next() && in_shard(); }

bool ShardCursor::remove_and_next() {
  cursor_.del();
  return cursor_.next() && in_shard();
}

std::uint64_t counter_at_time(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard, lines::EpochMs time) {
  std::uint64_t low = shard.first_counter, high = shard.next_counter;  // answer in [low, high]
  while (low < high) {
    std::uint64_t middle = low + (high - low) / 2;
    auto value = txn.get(txn.dbs().records, keys::record(stream_id, shard.index, middle));
    // A record trimmed meanwhile counts as older than any time asked for.
    if (!value || record_arrival(*value) < time) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

}  // namespace millrace::store
