// DynamoDbApi: the DynamoDB API (JSON 1.0, `X-Amz-Target: DynamoDB_20120810.OP`) over the
// store's tables, for gw-serve. Each call takes the operation's name and the request body and
// gives the response body or DynamoDB's error; no HTTP here.
//
// Requests are validated against AWS's model first (aws/validate.h), then by each operation as
// DynamoDB Local checks them, with its texts. Errors carry DynamoDB's __type
// (com.amazonaws.dynamodb.v20120810#ResourceNotFoundException,
// com.amazon.coral.validate#ValidationException, ...).
//
// Operations: CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable,
// UpdateTimeToLive, DescribeTimeToLive, TagResource, UntagResource, ListTagsOfResource
// (serve/dynamodb_tables.h); GetItem, BatchGetItem, Query, Scan, PutItem, DeleteItem, UpdateItem,
// BatchWriteItem (serve/dynamodb_items.h); TransactWriteItems, TransactGetItems
// (serve/dynamodb_transactions.h). Their expressions (KeyConditionExpression,
// ConditionExpression, FilterExpression, UpdateExpression, ProjectionExpression) and the older
// forms (KeyConditions, Expected, QueryFilter, ScanFilter, AttributeUpdates, AttributesToGet,
// ConditionalOperator) are expr/dynamo.h's, read from the requests by
// serve/dynamodb_expressions.h. Secondary indexes are a ValidationException; the model's other
// operations an UnknownOperationException.
//
// Conditions and updates are evaluated in the commit's write transaction, on the item as it is
// then (serve/dynamodb_item_write.h): conditional writes are linearizable, and a
// TransactWriteItems is all or nothing in one LMDB transaction.
//
// Thread safety: call() may run on many threads at once; reads are one snapshot each, writes
// are answered once their grouped commit is durable (serve/item_committer.h).
//
// Metrics: the writes' are recorded in their commits (serve/item_committer.h); what the item
// reads (GetItem, BatchGetItem, Query, Scan, TransactGetItems) read is told to the caller, who
// records it with the request (serve/request_metrics.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "serve/api.h"
#include "serve/dynamodb_capacity.h"
#include "serve/item_committer.h"
#include "store/env.h"

namespace millrace::serve {

class DynamoDbApi {
 public:
  // Writes go through `committer`, shared with the other writers of the server.
  DynamoDbApi(store::Env& env, ItemCommitter& committer, std::string region = "us-east-1");
  ~DynamoDbApi();

  // Answers `operation` (the part of X-Amz-Target after "DynamoDB_20120810.") with `body`:
  // calls `done` with the answer, at once, or for writes from the commit thread once durable.
  // An item read that succeeds tells what it read in `reads`, when given, before `done`.
  using Done = std::function<void(ApiAnswer)>;
  void call(std::string_view operation, std::string_view body, Done done, dynamodb::ReadUsage* reads = nullptr);
  // The same, waiting for the answer.
  ApiAnswer call(std::string_view operation, std::string_view body);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace millrace::serve
