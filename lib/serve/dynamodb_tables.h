// The DynamoDB API's table operations (serve/dynamodb_api.h): CreateTable, DeleteTable,
// DescribeTable, ListTables, UpdateTable, UpdateTimeToLive, DescribeTimeToLive, TagResource,
// UntagResource, ListTagsOfResource. Each takes the validated request and returns the response
// body, or throws aws::ApiError with DynamoDB Local's text.
//
// Tables are the store's (store/tables.h): what CreateTable makes, kv-put writes and kv-get
// reads, and the other way round. The billing mode and provisioned throughput are kept and
// given back, never enforced; the TTL attribute is kv-put --ttl's (table::set_ttl).
#pragma once

#include <string>

#include "serve/dynamodb_request.h"

namespace millrace::serve::dynamodb {

std::string create_table(Context& context, element request);
std::string delete_table(Context& context, element request);
std::string describe_table(Context& context, element request);
std::string list_tables(Context& context, element request);
std::string update_table(Context& context, element request);
std::string update_time_to_live(Context& context, element request);
std::string describe_time_to_live(Context& context, element request);
std::string tag_resource(Context& context, element request);
std::string untag_resource(Context& context, element request);
std::string list_tags_of_resource(Context& context, element request);

}  // namespace millrace::serve::dynamodb
