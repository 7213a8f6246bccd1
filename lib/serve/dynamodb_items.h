// The DynamoDB API's item operations (serve/dynamodb_api.h): GetItem, BatchGetItem, Query and
// Scan, read from one snapshot of the store each; PutItem, DeleteItem, UpdateItem and
// BatchWriteItem, applied in the grouped commits of the ItemCommitter and answered once durable.
// Conditions are evaluated and updates applied in the commit's transaction
// (serve/dynamodb_item_write.h); the expressions are serve/dynamodb_expressions.h's.
//
// The semantics are kv-put's and kv-get's, through their one implementation: keys
// (table/schema.h), ranges and order (table/get.h), TTL (expired items are never read; writes
// remove a bounded number of them), item writes (store::ItemWriter). Values are converted by
// aws/attribute_value.h. Query and Scan pages end at Limit items read or once 1 MB has been
// read, as DynamoDB's; capacity units are counted as DynamoDB Local counts them.
#pragma once

#include <string>

#include "serve/dynamodb_capacity.h"
#include "serve/dynamodb_request.h"

namespace millrace::serve::dynamodb {

// Reads: the answer; what they read of each table goes in `usage` (its operation aside).
std::string get_item(Context& context, element request, ReadUsage& usage);
std::string batch_get_item(Context& context, element request, ReadUsage& usage);
std::string query(Context& context, element request, ReadUsage& usage);
std::string scan(Context& context, element request, ReadUsage& usage);

// Writes: `done` is moved from only once nothing can throw any more (the request is queued).
void put_item(Context& context, element request, Done& done);
void delete_item(Context& context, element request, Done& done);
void update_item(Context& context, element request, Done& done);
void batch_write_item(Context& context, element request, Done& done);

}  // namespace millrace::serve::dynamodb
