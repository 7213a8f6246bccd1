// The DynamoDB API's transactions (serve/dynamodb_api.h): TransactWriteItems and
// TransactGetItems, which dynalite never had.
//
// TransactWriteItems: up to 100 actions (Put, Update, Delete, ConditionCheck) on distinct items
// of any tables, at most 4 MB of items, applied in ONE write transaction of the commit thread
// (serve/item_committer.h): every condition is evaluated and every update made before anything
// is written, and if one condition fails nothing is. The answer is then a
// TransactionCanceledException whose CancellationReasons give, in the actions' order, None,
// ConditionalCheckFailed (with the Item when ReturnValuesOnConditionCheckFailure is ALL_OLD) or
// ValidationError (a parameter value of that action DynamoDB refuses). A ClientRequestToken
// makes the call idempotent for 10 minutes, as DynamoDB's: the same actions again succeed
// without being applied again (their units those of reading the items); other actions with the
// same token are an IdempotentParameterMismatchException. A cancelled call takes no token.
//
// TransactGetItems: up to 100 Gets, read from one snapshot, each with its ProjectionExpression.
//
// Errors, texts and capacity units are DynamoDB Local's: an action costs twice the units of the
// same write or consistent read outside a transaction (a Delete of nothing costs 1).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "serve/dynamodb_capacity.h"
#include "serve/dynamodb_request.h"

namespace millrace::serve::dynamodb {

// The ClientRequestTokens of the last 10 minutes' transactions and their answers.
class ClientTokens {
 public:
  // Whether the request `owner` with `token` and `actions` (its TransactItems' JSON) repeats the
  // transaction that took the token in the last 10 minutes (one that was not `owner`). Throws
  // IdempotentParameterMismatchException when that one had other actions.
  bool repeats(std::string_view token, std::string_view actions, std::uint64_t owner, lines::EpochMs now);
  // Keeps `token` for `owner`'s transaction.
  void claim(const std::string& token, std::string actions, std::uint64_t owner, lines::EpochMs now);
  // Gives the token up: `owner`'s transaction was not committed after all.
  void forget(const std::string& token, std::uint64_t owner);

 private:
  struct Claim {
    std::string actions;
    std::uint64_t owner;
    lines::EpochMs at;
  };
  std::mutex mutex_;
  std::map<std::string, Claim, std::less<>> claims_;
  std::deque<std::pair<lines::EpochMs, std::string>> by_age_;
};

void transact_write_items(Context& context, element request, Done& done);
std::string transact_get_items(Context& context, element request, ReadUsage& usage);

}  // namespace millrace::serve::dynamodb
