// Tags: the key-value labels of a stream (Kinesis' AddTagsToStream, ListTagsForStream,
// RemoveTagsFromStream) or a table (DynamoDB's TagResource, ListTagsOfResource,
// UntagResource), in the `meta` database under keys::stream_tags(stream id) or
// keys::table_tags(table id): a u16 count, then each tag's key and value (Encoder::str), sorted
// by key. They go with their stream or table, so one made again under the same name has none.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "store/env.h"

namespace millrace::store {

using Tags = std::map<std::string, std::string>;

// The tags under `key` (keys::stream_tags or keys::table_tags).
Tags load_tags(const Txn& txn, std::string_view key);
// Saves `tags` under `key` (none: removes the entry). REQUIRES: a write transaction.
void save_tags(const Txn& txn, std::string_view key, const Tags& tags);

}  // namespace millrace::store
