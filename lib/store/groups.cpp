#include "store/groups.h"

#include "cli/error.h"
#include "store/codec.h"
#include "store/keys.h"

namespace millrace::store {
namespace {

// Value layout: layout byte, counter, updated, lease expiry, owner. DO NOT CHANGE.
constexpr std::uint8_t kCheckpointLayout = 1;

}  // namespace

std::vector<std::string> list_groups(const Txn& txn, std::uint32_t stream_id) {
  std::vector<std::string> names;
  std::string prefix = keys::stream_prefix(stream_id);
  Cursor cursor(txn, txn.dbs().groups);
  for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    Decoder d(cursor.key(), "group key");
    d.u32();
    std::string name(d.bytes(d.u8()));
    if (names.empty() || names.back() != name) names.push_back(std::move(name));
  }
  return names;
}

std::map<std::uint32_t, Checkpoint> load_checkpoints(const Txn& txn, std::uint32_t stream_id, std::string_view group) {
  std::map<std::uint32_t, Checkpoint> checkpoints;
  std::string prefix = keys::group_prefix(stream_id, group);
  Cursor cursor(txn, txn.dbs().groups);
  for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix); ok = cursor.next()) {
    Decoder k(cursor.key().substr(prefix.size()), "group key");
    std::uint32_t shard = k.u32();
    Decoder d(cursor.value(), "checkpoint");
    if (d.u8() != kCheckpointLayout) throw cli::Error(cli::Exit::unavailable, std::string(group), "unknown checkpoint layout");
    Checkpoint& c = checkpoints[shard];
    c.counter = d.u64();
    c.updated_ms = d.i64();
    c.lease_expiry_ms = d.i64();
    c.owner = d.str();
  }
  return checkpoints;
}

void save_checkpoint(const Txn& txn, std::uint32_t stream_id, std::string_view group, std::uint32_t shard,
                     const Checkpoint& c) {
  std::string value;
  Encoder(value).u8(kCheckpointLayout).u64(c.counter).i64(c.updated_ms).i64(c.lease_expiry_ms).str(c.owner);
  txn.put(txn.dbs().groups, keys::group(stream_id, group, shard), value);
}

}  // namespace millrace::store
