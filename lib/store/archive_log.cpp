#include "store/archive_log.h"

#include "store/codec.h"
#include "store/hash_key.h"

namespace millrace::store {
namespace {

constexpr std::size_t kDigestBytes = 16;

std::string digest(std::string_view text) {
  auto sha = sha256(text);
  return std::string(reinterpret_cast<const char*>(sha.data()), kDigestBytes);
}

std::string entry_key(std::string_view bucket, std::string_view key) { return digest(bucket) + digest(key); }

}  // namespace

void ArchiveLog::add(const Txn& txn, std::string_view bucket, const PendingObject& object) const {
  std::string value;
  Encoder encoder(value);
  encoder.str(object.key).str(object.partition).u32(static_cast<std::uint32_t>(object.ranges.size()));
  for (const ArchivedRange& range : object.ranges)
    encoder.str(range.stream).str(range.group).u32(range.shard).u64(range.first).u64(range.last);
  txn.put(txn.dbs().archive, entry_key(bucket, object.key), value);
}

void ArchiveLog::remove(const Txn& txn, std::string_view bucket, std::string_view key) const {
  txn.del(txn.dbs().archive, entry_key(bucket, key));
}

std::vector<PendingObject> ArchiveLog::load(const Txn& txn, std::string_view bucket) const {
  std::vector<PendingObject> objects;
  std::string start = digest(bucket);
  Cursor cursor(txn, txn.dbs().archive);
  for (bool ok = cursor.seek(start); ok && cursor.key().starts_with(start); ok = cursor.next()) {
    Decoder decoder(cursor.value(), "archive log entry");
    PendingObject object;
    object.key = decoder.str();
    object.partition = decoder.str();
    std::uint32_t count = decoder.u32();
    for (std::uint32_t i = 0; i < count; ++i) {
      ArchivedRange range;
      range.stream = decoder.str();
      range.group = decoder.str();
      range.shard = decoder.u32();
      range.first = decoder.u64();
      range.last = decoder.u64();
      object.ranges.push_back(std::move(range));
    }
    objects.push_back(std::move(object));
  }
  return objects;
}

}  // namespace millrace::store
