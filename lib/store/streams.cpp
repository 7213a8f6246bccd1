#include "store/streams.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/error.h"
#include "store/codec.h"
#include "store/groups.h"
#include "store/keys.h"
#include "store/tags.h"

namespace millrace::store {
namespace {

// Value layouts. DO NOT CHANGE the order of fields: append new ones at the end, and bump the
// layout byte.
constexpr std::uint8_t kStreamLayout = 1;
constexpr std::uint8_t kShardLayout = 1;

std::string encode(const StreamMeta& s) {
  std::string v;
  Encoder(v).u8(kStreamLayout).u32(s.id).i64(s.created_ms).i64(s.retention_ms).u32(s.next_shard).i64(
      s.last_arrival_ms);
  return v;
}

StreamMeta decode_stream(std::string_view name, std::string_view value) {
  Decoder d(value, "stream");
  StreamMeta s;
  s.name = name;
  if (d.u8() != kStreamLayout) throw cli::Error(cli::Exit::unavailable, s.name, "unknown stream layout");
  s.id = d.u32();
  s.created_ms = d.i64();
  s.retention_ms = d.i64();
  s.next_shard = d.u32();
  s.last_arrival_ms = d.i64();
  return s;
}

std::string encode(const ShardMeta& s) {
  std::string v;
  Encoder(v)
      .u8(kShardLayout)
      .u128(s.range.start)
      .u128(s.range.end)
      .u32(s.parent)
      .u32(s.adjacent_parent)
      .u8(s.open ? 1 : 0)
      .i64(s.created_ms)
      .i64(s.closed_ms)
      .u64(s.first_counter)
      .u64(s.next_counter)
      .u64(s.bytes);
  return v;
}

ShardMeta decode_shard(std::string_view key, std::string_view value) {
  ShardMeta s;
  Decoder k(key, "shard key");
  k.u32();
  s.index = k.u32();
  Decoder d(value, "shard");
  if (d.u8() != kShardLayout) throw cli::Error(cli::Exit::unavailable, "", "unknown shard layout");
  s.range.start = d.u128();
  s.range.end = d.u128();
  s.parent = d.u32();
  s.adjacent_parent = d.u32();
  s.open = d.u8() != 0;
  s.created_ms = d.i64();
  s.closed_ms = d.i64();
  s.first_counter = d.u64();
  s.next_counter = d.u64();
  s.bytes = d.u64();
  return s;
}

// Deletes up to `limit` entries under `prefix`; true when none are left.
bool delete_prefix(const Txn& txn, MDB_dbi dbi, std::string_view prefix, std::uint64_t limit) {
  Cursor cursor(txn, dbi);
  bool found = cursor.seek(prefix);
  for (std::uint64_t n = 0; found && cursor.key().starts_with(prefix); ++n) {
    if (n == limit) return false;
    cursor.del();
    found = cursor.next();
  }
  return true;
}

}  // namespace

std::optional<StreamMeta> find_stream(const Txn& txn, std::string_view name) {
  auto value = txn.get(txn.dbs().streams, name);
  if (!value) return std::nullopt;
  return decode_stream(name, *value);
}

cli::Error no_such_stream(std::string_view name) {
  return cli::Error(cli::Exit::no_input, std::string(name),
                    fmt::format("no such stream; create it with 'ks-shard create {}' (or ks-put --create)", name));
}

cli::Error stream_exists(std::string_view name) {
  return cli::Error(cli::Exit::cant_create, std::string(name), "stream exists already");
}

StreamMeta stream_or_throw(const Txn& txn, std::string_view name) {
  auto stream = find_stream(txn, name);
  if (!stream) throw no_such_stream(name);
  return *stream;
}

std::vector<StreamMeta> list_streams(const Txn& txn) {
  std::vector<StreamMeta> streams;
  Cursor cursor(txn, txn.dbs().streams);
  for (bool ok = cursor.seek(""); ok; ok = cursor.next())
    streams.push_back(decode_stream(cursor.key(), cursor.value()));
  return streams;
}

void save_stream(const Txn& txn, const StreamMeta& stream) {
  txn.put(txn.dbs().streams, stream.name, encode(stream));
}

StreamMeta create_stream(const Txn& txn, std::string_view name, std::uint32_t shards, std::int64_t retention_ms,
                         lines::EpochMs now) {
  if (find_stream(txn, name)) throw stream_exists(name);
  std::uint32_t id = 1;
  if (auto value = txn.get(txn.dbs().meta, keys::kNextStreamId)) id = Decoder(*value, "meta").u32();
  std::string next;
  Encoder(next).u32(id + 1);
  txn.put(txn.dbs().meta, keys::kNextStreamId, next);

  StreamMeta stream{std::string(name), id, now, retention_ms, shards, 0};
  save_stream(txn, stream);
  auto ranges = split_evenly({0, kMaxHashKey}, shards);
  for (std::uint32_t i = 0; i < shards; ++i) {
    ShardMeta shard;
    shard.index = i;
    shard.range = ranges[i];
    shard.created_ms = now;
    save_shard(txn, id, shard);
  }
  return stream;
}

std::vector<ShardMeta> load_shards(const Txn& txn, std::uint32_t stream_id) {
  std::vector<ShardMeta> shards;
  std::string prefix = keys::stream_prefix(stream_id);
  Cursor cursor(txn, txn.dbs().shards);
  for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next())
    shards.push_back(decode_shard(cursor.key(), cursor.value()));
  return shards;
}

const ShardMeta* find_shard(const std::vector<ShardMeta>& shards, std::uint32_t index) {
  auto it = std::lower_bound(shards.begin(), shards.end(), index, [](const ShardMeta& s, std::uint32_t i) { return s.index < i; });
  return it != shards.end() && it->index == index ? &*it : nullptr;
}

void save_shard(const Txn& txn, std::uint32_t stream_id, const ShardMeta& shard) {
  txn.put(txn.dbs().shards, keys::shard(stream_id, shard.index), encode(shard));
}

void delete_shard(const Txn& txn, std::uint32_t stream_id, std::uint32_t index) {
  txn.del(txn.dbs().shards, keys::shard(stream_id, index));
  for (const std::string& group : list_groups(txn, stream_id)) txn.del(txn.dbs().groups, keys::group(stream_id, group, index));
}

OpenShards::OpenShards(std::vector<ShardMeta>& shards) {
  for (ShardMeta& shard : shards)
    if (shard.open) by_start_.push_back(&shard);
  std::sort(by_start_.begin(), by_start_.end(), [](auto* a, auto* b) { return a->range.start < b->range.start; });
}

ShardMeta& OpenShards::shard_for(HashKey hash) const {
  auto it = std::upper_bound(by_start_.begin(), by_start_.end(), hash,
                             [](HashKey h, const ShardMeta* s) { return h < s->range.start; });
  return **(it - 1);  // the first open shard starts at 0
}

std::vector<std::uint32_t> ancestors(const std::vector<ShardMeta>& shards, const ShardMeta& child) {
  std::vector<std::uint32_t> found;
  for (const ShardMeta& shard : shards) {
    bool overlaps = shard.range.start <= child.range.end && child.range.start <= shard.range.end;
    if (shard.index < child.index && !shard.open && overlaps) found.push_back(shard.index);
  }
  return found;
}

void delete_stream(const Txn& txn, const StreamMeta& stream) {
  std::string prefix = keys::stream_prefix(stream.id);
  delete_prefix(txn, txn.dbs().shards, prefix, UINT64_MAX);
  delete_prefix(txn, txn.dbs().groups, prefix, UINT64_MAX);
  save_tags(txn, keys::stream_tags(stream.id), {});
  txn.del(txn.dbs().streams, stream.name);
}

bool delete_records_step(const Txn& txn, std::uint32_t stream_id, std::uint64_t limit) {
  return delete_prefix(txn, txn.dbs().records, keys::stream_prefix(stream_id), limit);
}

}  // namespace millrace::store
