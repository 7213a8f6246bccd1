#include "store/tags.h"

#include "store/codec.h"
#include "store/keys.h"

namespace millrace::store {

Tags load_tags(const Txn& txn, std::uint32_t stream_id) {
  Tags tags;
  auto value = txn.get(txn.dbs().meta, keys::stream_tags(stream_id));
  if (!value) return tags;
  Decoder in(*value, "tags");
  for (std::uint16_t n = in.u16(); n > 0; --n) {
    std::string key(in.str());
    tags[key] = std::string(in.str());
  }
  return tags;
}

void save_tags(const Txn& txn, std::uint32_t stream_id, const Tags& tags) {
  if (tags.empty()) {
    txn.del(txn.dbs().meta, keys::stream_tags(stream_id));
    return;
  }
  std::string value;
  Encoder out(value);
  out.u16(static_cast<std::uint16_t>(tags.size()));
  for (const auto& [key, tag] : tags) out.str(key).str(tag);
  txn.put(txn.dbs().meta, keys::stream_tags(stream_id), value);
}

}  // namespace millrace::store
