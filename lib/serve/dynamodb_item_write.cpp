#include "serve/dynamodb_item_write.h"

#include "aws/attribute_value.h"
#include "serve/dynamodb_expressions.h"
#include "table/capacity.h"

namespace millrace::serve::dynamodb {
namespace {

aws::ItemEncoder& encoder() {
  thread_local aws::ItemEncoder instance;
  return instance;
}

}  // namespace

std::size_t size_of(std::string_view json) { return table::item_size(json); }

void append_typed(std::string& out, std::string_view json) { encoder().append_typed_item(out, json); }

aws::ApiError condition_failed(std::optional<std::string_view> item) {
  aws::ApiError error{400, "ConditionalCheckFailedException", "The conditional request failed"};
  if (item) {
    error.members = "\"Item\":";
    append_typed(error.members, *item);
  }
  return error;
}

ItemDecision decide(const ItemAction& action, const store::TableMeta& table, const store::ItemWriter& items, lines::EpochMs now) {
  ItemDecision decision;
  decision.stored = items.get(action.item.key);
  if (decision.stored && !decision.stored->expired(now)) decision.live = decision.stored;
  std::optional<std::string_view> live;
  if (decision.live) live = decision.live->json;
  if (action.condition && !holds(*action.condition, live)) throw condition_failed(action.old_on_failure ? live : std::nullopt);
  if (action.kind == ItemAction::Kind::update) {
    // An UpdateItem without an update makes the item of its key when there is none.
    std::string made = action.update ? updated_item(*action.update, live, action.item.json) : std::string(live.value_or(action.item.json));
    decision.updated = updated_item_of(table, std::move(made));
  }
  return decision;
}

void write(const ItemAction& action, const ItemDecision& decision, store::ItemWriter& items, const table::EntryObserver* observer) {
  if (const StoreItem* written = decision.written(action)) {
    items.put(action.item.key, decision.stored, written->expires_ms, written->json, observer);
  } else if (action.kind == ItemAction::Kind::remove && decision.stored) {
    items.remove(action.item.key, *decision.stored, observer);
  }
}

store::TableMeta same_table(const store::Txn& txn, const store::TableMeta& checked) {
  store::TableMeta table = table_named(txn, checked.name);
  if (table.id != checked.id) throw no_table();
  return table;
}

void remove_expired(store::ItemWriter& items, lines::EpochMs now) {
  for (int i = 0; i < store::kExpiredPerCommit; ++i)
    if (!items.remove_expired(now, [](std::string_view, const store::StoredItem&) {})) return;
}

void submit(Context& context, std::string_view operation, std::shared_ptr<std::string> answer, std::size_t bytes,
            std::function<void(const store::Txn&, lines::EpochMs, WriteUsage&)> apply, Done& done) {
  ItemWrite write;
  write.apply = std::move(apply);
  write.bytes = bytes;
  write.operation = operation;
  write.received = lines::now_ms();
  write.done = [answer, done = std::move(done)](std::exception_ptr failure) {
    if (!failure) return done(ApiAnswer{200, *answer});
    try {
      std::rethrow_exception(failure);
    } catch (const aws::ApiError& e) {
      done(answer_of(e));
    } catch (const std::exception& e) {
      done(answer_of(aws::ApiError{500, "InternalFailure", e.what()}));
    }
  };
  context.committer.submit(std::move(write));
}

}  // namespace millrace::serve::dynamodb
