// Tags: a stream's key-value labels (Kinesis' AddTagsToStream, ListTagsForStream,
// RemoveTagsFromStream), in the `meta` database under keys::stream_tags(stream id): a u16
// count, then each tag's key and value (Encoder::str), sorted by key. They go with their
// stream (store::delete_stream), so a stream made again under the same name has none.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "store/env.h"

namespace millrace::store {

using Tags = std::map<std::string, std::string>;

Tags load_tags(const Txn& txn, std::uint32_t stream_id);
// Saves `tags` (none: removes the entry). REQUIRES: a write transaction.
void save_tags(const Txn& txn, std::uint32_t stream_id, const Tags& tags);

}  // namespace millrace::store
