// Put: the loop of kv-put (PutItem, UpdateItem, DeleteItem, as BatchWriteItem in grouped
// commits).
//
// The calling thread reads lines, validates them whole, and finds each item's key; a commit
// thread applies them in order in grouped commits (store/group_commit.h), so the table always
// holds the effect of a prefix of the input. In the same commits it removes a bounded number
// of expired items, and commits the checkpoints of the groups whose envelopes it was given
// (stream/provenance.h). Change records are written once their commit is durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lines/input.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/env.h"
#include "table/item.h"
#include "table/schema.h"
#include "expr/condition.h"

namespace millrace::table {

// put: PutItem (the line is the item); update: UpdateItem (the line's attributes are SET, or
// ADDed, onto the stored item); remove: DeleteItem (the line names the key).
enum class Action { put, update, remove };

struct PutOptions {
  Action action = Action::put;
  UpdateSpec update;                      // with Action::update
  bool if_absent = false;                 // --if-absent: attribute_not_exists on the key
  std::optional<expr::Condition> condition;  // --if, on the stored item
  lines::InputFormat format = lines::InputFormat::data;
  lines::OnError on_error = lines::OnError::fail;
};

struct PutStats {
  std::uint64_t written = 0;    // items put or updated (unchanged ones too)
  std::uint64_t removed = 0;    // items deleted by --delete
  std::uint64_t refused = 0;    // items whose condition failed
  std::uint64_t expired = 0;    // expired items removed
  std::uint64_t skipped = 0;    // bad lines passed over under OnError::skip
};

// The longest line read: an item of store::kMaxItemBytes, or an envelope carrying one.
std::size_t max_line_length(lines::InputFormat format);

// Applies every line of `reader` to the table of `spec` (created as open_table() says). With
// `changes`, writes one change record (DynamoDB Streams' NEW_AND_OLD_IMAGES) per change. Throws
// cli::Error(data) at the first bad line under OnError::fail, after committing the lines before.
PutStats put_items(store::Env& env, const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                   lines::Writer* changes);

}  // namespace millrace::table
