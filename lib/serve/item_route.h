// The item route: API Gateway's GET in front of a table, the reads of kv-get over HTTP.
//
//   GET /tables/NAME/items/KEY/SORTKEY   the item, as plain JSON (GetItem); 404 when there is none
//   GET /tables/NAME/items/KEY           the item, for a table without a sort key; for a table
//                                        with one, the items of the partition KEY (Query)
//   GET /tables/NAME/items/KEY?begins_with=P&limit=N&reverse=1
//                                        a Query of the partition KEY, as JSON lines: sort keys
//                                        beginning with P, at most N items, descending
//
// Each segment of the path is percent-decoded on its own ("%2F" is a '/' within a key), then
// typed as kv-get types its arguments (table/schema.h: a number in JSON's grammar, a binary in
// base64); the reads are kv-get's (table/get.h), in one snapshot. Expired items are never
// answered. Answers: 200 with the item (application/json) or the query's lines
// (application/x-ndjson; none is an empty body); 404 for a table or an item that is not there;
// 400 for a key that does not fit its type, a parameter this route does not take, a query whose
// lines would pass kMaxQueryAnswer. Errors are {"message":...} (HttpAnswer::message).
//
// What an answered read consumed, for the table's metrics, is what API Gateway's integration
// would have asked of DynamoDB: an eventually consistent GetItem (a read of an item that is not
// there too), or a Query of the items answered.
#pragma once

#include <cstddef>
#include <string_view>

#include "serve/dynamodb_capacity.h"
#include "serve/gateway.h"
#include "store/env.h"

namespace millrace::serve {

inline constexpr std::string_view kTablesRoute = "/tables/";
// The largest answer of a query: the APIs' body limit, so that the route never holds more for one
// request than a request may bring (a larger partition is read in parts with ?limit= and
// ?begins_with=).
inline constexpr std::size_t kMaxQueryAnswer = 16 << 20;

// The answer to GET `path` (which starts with kTablesRoute) with the raw query string `query`;
// what it read in `usage`, when given, if it answered 200 or 404 for an item not there.
HttpAnswer get_items(store::Env& env, std::string_view path, std::string_view query,
                     dynamodb::ReadUsage* usage = nullptr);

}  // namespace millrace::serve
