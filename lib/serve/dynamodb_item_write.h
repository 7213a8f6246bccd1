// One item's write as the DynamoDB API makes it in the commit's write transaction
// (serve/item_committer.h): PutItem, DeleteItem, UpdateItem, and each action of
// TransactWriteItems (Put, Delete, Update, ConditionCheck).
//
// The condition (ConditionExpression or Expected) is evaluated on the item as the same
// transaction reads it, and the update applied to it there, so that conditional writes are
// linearizable: eight clients incrementing a counter under a condition never lose an increment.
// Expired items are absent to conditions and updates, as to reads. A write is decided first
// (condition, update, the 400 KB limit), then written: a transaction decides every action
// before it writes any.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "expr/dynamo.h"
#include "serve/dynamodb_request.h"
#include "table/index_entries.h"

namespace millrace::serve::dynamodb {

struct ItemAction {
  enum class Kind { put, remove, update, check };
  Kind kind = Kind::put;
  store::TableMeta table;  // the table the request was checked against
  StoreItem item;          // put: the item; remove, update, check: the key
  std::optional<expr::dynamo::Condition> condition;
  std::optional<expr::dynamo::Update> update;
  bool old_on_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

// What an action does to its item, decided before anything is written.
struct ItemDecision {
  std::optional<store::StoredItem> stored;  // the item stored, expired or not: a view, valid until a write
  std::optional<store::StoredItem> live;    // the same unless it has expired
  std::optional<StoreItem> updated;         // update: the item it makes

  // The item the action stores: a put's, an update's; nullptr for the others.
  const StoreItem* written(const ItemAction& action) const {
    return action.kind == ItemAction::Kind::put ? &action.item : updated ? &*updated : nullptr;
  }
};

// DynamoDB's ConditionalCheckFailedException, with the item (typed) when `item` is given.
aws::ApiError condition_failed(std::optional<std::string_view> item);

// Decides `action` on its item in `items`, the writer of its table in the commit's transaction:
// throws condition_failed() when the condition does not hold, a ValidationException when the
// update cannot be made or makes an item beyond 400 KB.
// `table` is the table as the transaction reads it (its TTL attribute gives an update's expiry).
ItemDecision decide(const ItemAction& action, const store::TableMeta& table, const store::ItemWriter& items, lines::EpochMs now);
// Writes what `decision` says, its `stored` read since the last write; `observer` sees what the
// write does to the item's index entries (for their capacity units).
void write(const ItemAction& action, const ItemDecision& decision, store::ItemWriter& items,
           const table::EntryObserver* observer = nullptr);

// The table a write applies to, the one its request was checked against (not one deleted and
// made again meanwhile), or no_table().
store::TableMeta same_table(const store::Txn& txn, const store::TableMeta& checked);
// Removes a bounded number of expired items of the table, as kv-put's commits do.
void remove_expired(store::ItemWriter& items, lines::EpochMs now);

// The DynamoDB size of a plain item.
std::size_t size_of(std::string_view json);
// Appends the typed item of the plain item `json`.
void append_typed(std::string& out, std::string_view json);

// Queues a write of `operation` (a literal: "PutItem") on the context's committer: `apply` runs
// in the commit's transaction, sets *answer and tells what it consumed (serve/item_committer.h);
// `done` is called with *answer once durable, or with the error `apply` threw.
void submit(Context& context, std::string_view operation, std::shared_ptr<std::string> answer, std::size_t bytes,
            std::function<void(const store::Txn&, lines::EpochMs, WriteUsage&)> apply, Done& done);

}  // namespace millrace::serve::dynamodb
