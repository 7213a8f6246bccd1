#include "serve/dynamodb_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <future>
#include <map>

#include "aws/model.h"
#include "aws/validate.h"
#include "lines/json.h"
#include "serve/dynamodb_items.h"
#include "serve/dynamodb_request.h"
#include "serve/dynamodb_tables.h"
#include "serve/dynamodb_transactions.h"

namespace millrace::serve {

using dynamodb::element;

struct DynamoDbApi::State {
  State(store::Env& env, ItemCommitter& committer, std::string region) : context{env, committer, std::move(region), tokens} {}
  dynamodb::ClientTokens tokens;
  dynamodb::Context context;
};

DynamoDbApi::DynamoDbApi(store::Env& env, ItemCommitter& committer, std::string region)
    : state_(std::make_unique<State>(env, committer, std::move(region))) {}

DynamoDbApi::~DynamoDbApi() = default;

void DynamoDbApi::call(std::string_view operation, std::string_view body, Done done, dynamodb::ReadUsage* reads) {
  using dynamodb::Context;
  using Read = std::string (*)(Context&, element);
  using ItemRead = std::string (*)(Context&, element, dynamodb::ReadUsage&);
  using Write = void (*)(Context&, element, Done&);
  struct Operation {
    Read read;
    ItemRead item_read;
    Write write;
  };
  static const std::map<std::string_view, Operation, std::less<>> kHandlers = {
      {"CreateTable", {dynamodb::create_table, nullptr, nullptr}},
      {"DeleteTable", {dynamodb::delete_table, nullptr, nullptr}},
      {"DescribeTable", {dynamodb::describe_table, nullptr, nullptr}},
      {"ListTables", {dynamodb::list_tables, nullptr, nullptr}},
      {"UpdateTable", {dynamodb::update_table, nullptr, nullptr}},
      {"UpdateTimeToLive", {dynamodb::update_time_to_live, nullptr, nullptr}},
      {"DescribeTimeToLive", {dynamodb::describe_time_to_live, nullptr, nullptr}},
      {"TagResource", {dynamodb::tag_resource, nullptr, nullptr}},
      {"UntagResource", {dynamodb::untag_resource, nullptr, nullptr}},
      {"ListTagsOfResource", {dynamodb::list_tags_of_resource, nullptr, nullptr}},
      {"GetItem", {nullptr, dynamodb::get_item, nullptr}},
      {"BatchGetItem", {nullptr, dynamodb::batch_get_item, nullptr}},
      {"Query", {nullptr, dynamodb::query, nullptr}},
      {"Scan", {nullptr, dynamodb::scan, nullptr}},
      {"PutItem", {nullptr, nullptr, dynamodb::put_item}},
      {"DeleteItem", {nullptr, nullptr, dynamodb::delete_item}},
      {"BatchWriteItem", {nullptr, nullptr, dynamodb::batch_write_item}},
      {"UpdateItem", {nullptr, nullptr, dynamodb::update_item}},
      {"TransactWriteItems", {nullptr, nullptr, dynamodb::transact_write_items}},
      {"TransactGetItems", {nullptr, dynamodb::transact_get_items, nullptr}},
  };
  const aws::model::Operation* modelled = aws::model::dynamodb.operation(operation);
  auto handler = kHandlers.find(operation);
  if (modelled == nullptr || handler == kHandlers.end())
    return done(dynamodb::answer_of(aws::ApiError{400, "UnknownOperationException", "An unknown operation was requested."}));
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto invalid = parse_request(aws::model::dynamodb, *modelled, body, parser, root)) return done(dynamodb::answer_of(*invalid));
  dynamodb::ReadUsage unused;
  dynamodb::ReadUsage& usage = reads ? *reads : unused;
  try {
    if (handler->second.write) return handler->second.write(state_->context, root, done);
    if (handler->second.read) return done(ApiAnswer{200, handler->second.read(state_->context, root)});
    usage.operation = handler->first;
    done(ApiAnswer{200, handler->second.item_read(state_->context, root, usage)});
  } catch (const aws::ApiError& e) {
    usage.tables.clear();  // a read that failed read nothing, as its metrics go
    done(dynamodb::answer_of(e));
  }
}

ApiAnswer DynamoDbApi::call(std::string_view operation, std::string_view body) {
  std::promise<ApiAnswer> answer;
  call(operation, body, [&answer](ApiAnswer a) { answer.set_value(std::move(a)); });
  return answer.get_future().get();
}

}  // namespace millrace::serve
