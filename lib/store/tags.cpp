#include "store/tags.h"

#include "store/codec.h"

namespace millrace::store {

Tags load_tags(const Txn& txn, std::string_view key) {
  Tags tags;
  auto value = txn.get(txn.dbs().meta, key);
  if (!value) return tags;
  Decoder in(*value, "tags");
  for (std::uint16_t n = in.u16(); n > 0; --n) {
    std::string name(in.str());
    tags[name] = std::string(in.str());
  }
  return tags;
}

void save_tags(const Txn& txn, std::string_view key, const Tags& tags) {
  if (tags.empty()) {
    txn.del(txn.dbs().meta, key);
    return;
  }
  std::string value;
  Encoder out(value);
  out.u16(static_cast<std::uint16_t>(tags.size()));
  for (const auto& [name, tag] : tags) out.str(name).str(tag);
  txn.put(txn.dbs().meta, key, value);
}

}  // namespace millrace::store
