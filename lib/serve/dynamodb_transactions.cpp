#include "serve/dynamodb_transactions.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "aws/attribute_value.h"
#include "lines/json.h"
#include "serve/dynamodb_capacity.h"
#include "serve/dynamodb_expressions.h"
#include "serve/dynamodb_item_write.h"

namespace millrace::serve::dynamodb {
namespace {

// DynamoDB's limits: the bytes of a transaction's items (its Puts' items, the others' keys), and
// how long a ClientRequestToken is remembered.
constexpr std::size_t kMaxTransactionBytes = 4 << 20;
constexpr lines::EpochMs kTokenMs = 10 * 60 * 1000;

constexpr std::string_view kDuplicate = "Transaction request cannot include multiple operations on one item";

// The errors DynamoDB Local gives as an action's cancellation reason (ValidationError) rather
// than as the call's error: "One or more parameter values were invalid: ..." (a key of the wrong
// type, an update of a key attribute). The others (a syntax error, an item beyond 400 KB, a key
// missing or empty) are the call's.
bool is_reason(const aws::ApiError& error) {
  return error.type == "ValidationException" && error.message.starts_with("One or more parameter values were invalid");
}

// The tables a transaction writes, as its write transaction reads them, in the order the
// actions first name them (the order of ConsumedCapacity).
class TableWriters {
 public:
  explicit TableWriters(const store::Txn& txn) : txn_(txn) {}

  struct Table {
    store::TableMeta meta;
    std::optional<store::ItemWriter> items;
    Consumed consumed{""};
  };
  Table& of(const store::TableMeta& checked) {
    for (auto& table : tables_)
      if (table->meta.id == checked.id) return *table;
    auto& table = tables_.emplace_back(std::make_unique<Table>());
    table->meta = same_table(txn_, checked);
    table->consumed = Consumed(table->meta.name);
    table->items.emplace(txn_, table->meta);
    return *table;
  }
  std::vector<std::unique_ptr<Table>>& all() { return tables_; }

 private:
  const store::Txn& txn_;
  std::vector<std::unique_ptr<Table>> tables_;  // pointers: each ItemWriter holds its meta
};

// A TransactWriteItems' answer: {} or its ConsumedCapacity.
std::string capacity_answer(TableWriters& tables, CapacityDetail detail) {
  std::string out(1, '{');
  if (detail != CapacityDetail::none) {
    std::vector<Consumed> consumed;
    for (const auto& table : tables.all()) consumed.push_back(table->consumed);
    append_capacities(out, consumed, detail);
  }
  out.push_back('}');
  return out;
}

// TransactionCanceledException, its reasons' codes listed ("None, ConditionalCheckFailed") and
// the reasons' JSON objects.
aws::ApiError cancelled(std::string_view codes, std::string_view reasons) {
  return aws::ApiError{400, "TransactionCanceledException",
                       fmt::format("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes),
                       fmt::format("\"CancellationReasons\":[{}]", reasons)};
}

struct Prepared {
  ItemAction action;
  std::optional<std::string> invalid;  // the ValidationError of its cancellation reason
};

}  // namespace

bool ClientTokens::repeats(std::string_view token, std::string_view actions, std::uint64_t owner, lines::EpochMs now) {
  std::lock_guard lock(mutex_);
  while (!by_age_.empty() && by_age_.front().first + kTokenMs <= now) {
    auto claim = claims_.find(by_age_.front().second);
    if (claim != claims_.end() && claim->second.at == by_age_.front().first) claims_.erase(claim);
    by_age_.pop_front();
  }
  auto claim = claims_.find(token);
  if (claim == claims_.end() || claim->second.owner == owner) return false;
  if (claim->second.actions != actions) throw aws::ApiError{400, "IdempotentParameterMismatchException", ""};
  return true;
}

void ClientTokens::claim(const std::string& token, std::string actions, std::uint64_t owner, lines::EpochMs now) {
  std::lock_guard lock(mutex_);
  claims_[token] = Claim{std::move(actions), owner, now};
  by_age_.emplace_back(now, token);
}

void ClientTokens::forget(const std::string& token, std::uint64_t owner) {
  std::lock_guard lock(mutex_);
  auto claim = claims_.find(token);
  if (claim != claims_.end() && claim->second.owner == owner) claims_.erase(claim);
}

void transact_write_items(Context& context, element request, Done& done) {
  CapacityDetail detail = capacity_detail(request);
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::size_t payload = 0, bytes = 0;
  {
    store::ReadTxn reader(context.env);
    const store::Txn& txn = reader.renew();
    for (element entry : array_of(request["TransactItems"])) {
      static constexpr std::pair<std::string_view, ItemAction::Kind> kKinds[] = {{"ConditionCheck", ItemAction::Kind::check},
                                                                                 {"Put", ItemAction::Kind::put},
                                                                                 {"Delete", ItemAction::Kind::remove},
                                                                                 {"Update", ItemAction::Kind::update}};
      static constexpr std::string_view kOperations[] = {"ConditionCheck", "PutItem", "DeleteItem", "UpdateItem"};
      int kinds = 0;
      element body;
      Prepared p;
      std::string_view operation;
      for (std::size_t k = 0; k < std::size(kKinds); ++k) {
        element given;
        if (entry[kKinds[k].first].get(given) || given.is_null()) continue;
        ++kinds;
        body = given;
        p.action.kind = kKinds[k].second;
        operation = kOperations[k];
      }
      if (kinds == 0) throw validation("Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
      if (kinds > 1) throw validation("TransactItems can only contain one of Check, Put, Update or Delete");
      p.action.table = table_named(txn, string_member(body, "TableName").value_or(""));
      p.action.old_on_failure = string_member(body, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD";
      // DynamoDB Local answers a value it cannot read, or an item beyond 400 KB, as the call's
      // error, and a key it refuses as the action's reason.
      element typed = p.action.kind == ItemAction::Kind::put ? body["Item"].value_unsafe() : body["Key"].value_unsafe();
      std::string plain;
      aws::Decoded decoded = aws::append_plain_item(plain, typed);
      if (decoded.error) throw *decoded.error;
      if (decoded.size > store::kMaxItemBytes) throw validation("Item size has exceeded the maximum allowed size");
      try {
        p.action.item = p.action.kind == ItemAction::Kind::put ? item_of(p.action.table, typed) : key_of(p.action.table, typed);
      } catch (const aws::ApiError& e) {
        if (!is_reason(e)) throw;
        p.invalid = e.message;
      }
      try {
        expr::dynamo::Expressions compiled = expressions(body, operation, key_schema(p.action.table), Forms::expressions_only);
        p.action.condition = std::move(compiled.condition);
        p.action.update = std::move(compiled.update);
      } catch (const aws::ApiError& e) {
        // An expression's error about a parameter value (an update of a key attribute) cancels
        // the transaction with that one reason, as DynamoDB Local does; the others are the call's.
        if (!is_reason(e)) throw;
        throw cancelled("ValidationError", fmt::format("{{\"Code\":\"ValidationError\",\"Message\":{}}}", lines::json_string(e.message)));
      }
      if (!p.invalid) {
        for (const Prepared& known : *prepared)
          if (!known.invalid && known.action.item.key == p.action.item.key) throw validation(std::string(kDuplicate));
      }
      payload += p.action.item.size;
      bytes += p.action.item.json.size();
      prepared->push_back(std::move(p));
    }
  }
  if (payload > kMaxTransactionBytes)
    throw validation(fmt::format("Transaction payload size cannot exceed 4MB. Payload Size: {}", payload));
  std::optional<std::string> token;
  if (auto given = string_member(request, "ClientRequestToken")) token = std::string(*given);
  std::string actions(simdjson::minify(request["TransactItems"].value_unsafe()));
  static std::atomic<std::uint64_t> requests = 0;
  std::uint64_t owner = ++requests;
  ClientTokens& tokens = context.tokens;
  auto answer = std::make_shared<std::string>();
  if (token) {  // the token is given up when the transaction is not committed
    done = [done = std::move(done), token, owner, &tokens](ApiAnswer a) {
      if (a.status != 200) tokens.forget(*token, owner);
      done(std::move(a));
    };
  }
  submit(context, "TransactWriteItems", answer, bytes, [prepared, detail, token, actions = std::move(actions), owner, &tokens, answer](const store::Txn& txn, lines::EpochMs now, WriteUsage& usage) {
    TableWriters tables(txn);
    if (token && tokens.repeats(*token, actions, owner, now)) {
      // Answered without being applied again; its units are those of reading the items, as
      // DynamoDB Local counts them.
      for (const Prepared& p : *prepared) {
        TableWriters::Table& table = tables.of(p.action.table);
        std::optional<store::StoredItem> stored = table.items->get(p.action.item.key);
        std::size_t size = stored && !stored->expired(now) ? size_of(stored->json) : 0;
        table.consumed.add_table(item_read_units(size, ItemRead::transactional));
      }
      *answer = capacity_answer(tables, detail);
      return;
    }
    std::vector<ItemDecision> decisions(prepared->size());
    std::string reasons, codes;
    bool any_failed = false;
    for (std::size_t i = 0; i < prepared->size(); ++i) {
      const Prepared& p = (*prepared)[i];
      if (i > 0) reasons.push_back(','), codes.append(", ");
      if (p.invalid) {
        any_failed = true;
        codes.append("ValidationError");
        reasons.append("{\"Code\":\"ValidationError\",\"Message\":").append(lines::json_string(*p.invalid)).push_back('}');
        continue;
      }
      TableWriters::Table& table = tables.of(p.action.table);
      try {
        decisions[i] = decide(p.action, table.meta, *table.items, now);
        codes.append("None");
        reasons.append("{\"Code\":\"None\"}");
      } catch (const aws::ApiError& e) {
        if (e.type != "ConditionalCheckFailedException") throw;  // an update that cannot be made: the call's error
        any_failed = true;
        codes.append("ConditionalCheckFailed");
        // DynamoDB Local ends a ConditionCheck's message with a period, not the others'.
        reasons.append("{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed")
            .append(p.action.kind == ItemAction::Kind::check ? ".\"" : "\"");
        if (!e.members.empty()) reasons.append(",").append(e.members);
        reasons.push_back('}');
      }
    }
    if (any_failed) throw cancelled(codes, reasons);
    for (std::size_t i = 0; i < prepared->size(); ++i) {
      const ItemAction& action = (*prepared)[i].action;
      const ItemDecision& decision = decisions[i];
      std::optional<std::size_t> old_size, written_size;
      if (decision.live) old_size = size_of(decision.live->json);
      if (const StoreItem* written = decision.written(action)) written_size = written->size;
      double units = kTransactionFactor * item_write_units(old_size, written_size);
      if (action.kind == ItemAction::Kind::remove && !decision.live) units = kMissingDeleteUnits;
      if (action.kind == ItemAction::Kind::check) units = item_read_units(old_size.value_or(0), ItemRead::transactional);
      tables.of(action.table).consumed.add_table(units);
    }
    if (token) tokens.claim(*token, actions, owner, now);
    // Every action decided: now written, each item read again since the writes before it; the
    // indexes' units counted as their entries are made.
    for (std::size_t i = 0; i < prepared->size(); ++i) {
      const ItemAction& action = (*prepared)[i].action;
      TableWriters::Table& table = tables.of(action.table);
      decisions[i].stored = table.items->get(action.item.key);
      std::optional<table::EntryObserver> index_writes;
      if (detail != CapacityDetail::none && !table.meta.indexes.empty())
        index_writes = table.consumed.index_writes(decisions[i].live.has_value(), kTransactionFactor);
      write(action, decisions[i], *table.items, index_writes ? &*index_writes : nullptr);
    }
    *answer = capacity_answer(tables, detail);
    for (const auto& table : tables.all()) {
      remove_expired(*table->items, now);
      store::save_table(txn, table->meta);
      usage.tables.emplace_back(table->meta.name, table->consumed.table_units());
    }
  }, done);
}

std::string transact_get_items(Context& context, element request, ReadUsage& usage) {
  CapacityDetail detail = capacity_detail(request);
  store::ReadTxn reader(context.env);
  const store::Txn& txn = reader.renew();
  struct Get {
    store::TableMeta table;
    StoreItem key;
    std::optional<expr::dynamo::Projection> projection;
  };
  std::vector<Get> gets;
  for (element entry : array_of(request["TransactItems"])) {
    element body = entry["Get"].value_unsafe();  // required by the model
    Get& get = gets.emplace_back();
    get.table = table_named(txn, string_member(body, "TableName").value_or(""));
    try {
      get.key = key_of(get.table, body["Key"].value_unsafe());
    } catch (const aws::ApiError& e) {  // DynamoDB Local's answer to a key it refuses
      if (!is_reason(e)) throw;
      throw aws::ApiError{400, "TransactionCanceledException", e.message};
    }
    get.projection = expressions(body, "GetItem", key_schema(get.table), Forms::expressions_only).projection;
    for (std::size_t i = 0; i + 1 < gets.size(); ++i)
      if (gets[i].key.key == get.key.key) throw validation(std::string(kDuplicate));
  }
  std::vector<Consumed> units;
  std::vector<std::uint64_t> returned;  // by table, as `units`
  std::string out = "{\"Responses\":[";
  lines::EpochMs now = lines::now_ms();
  for (const Get& get : gets) {
    if (&get != gets.data()) out.push_back(',');
    out.push_back('{');
    std::size_t size = 0;
    auto table = std::find_if(units.begin(), units.end(), [&](const Consumed& u) { return u.table_name() == get.table.name; });
    if (table == units.end()) {
      table = units.insert(units.end(), Consumed(get.table.name));
      returned.push_back(0);
    }
    if (auto value = txn.get(txn.dbs().items, get.key.key)) {
      store::StoredItem item = store::decode_item(*value);
      if (!item.expired(now)) {
        size = size_of(item.json);
        out.append("\"Item\":");
        std::string projected;
        if (get.projection) append_projection(projected, *get.projection, item.json);
        append_typed(out, get.projection ? std::string_view(projected) : item.json);
        ++returned[static_cast<std::size_t>(table - units.begin())];
      }
    }
    out.push_back('}');
    table->add_table(item_read_units(size, ItemRead::transactional));
  }
  out.push_back(']');
  if (detail != CapacityDetail::none) {
    out.push_back(',');
    append_capacities(out, units, detail);
  }
  for (std::size_t i = 0; i < units.size(); ++i) usage.tables.push_back(TableRead{std::move(units[i]), returned[i]});
  return out + "}";
}

}  // namespace millrace::serve::dynamodb
