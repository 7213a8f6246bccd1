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

void DynamoDbApi::call(std::string_view operation, std::string_view body, Done done) {
  using dynamodb::Context;
  using Read = std::string (*)(Context&, element);
  using Write = void (*)(Context&, element, Done&);
  struct Handler {
    Read read;
    Write write;
  };
  static const std::map<std::string_view, Handler, std::less<>> kHandlers = {
      {"CreateTable", {dynamodb::create_table, nullptr}},
      {"DeleteTable", {dynamodb::delete_table, nullptr}},
      {"DescribeTable", {dynamodb::describe_table, nullptr}},
      {"ListTables", {dynamodb::list_tables, nullptr}},
      {"UpdateTable", {dynamodb::update_table, nullptr}},
      {"UpdateTimeToLive", {dynamodb::update_time_to_live, nullptr}},
      {"DescribeTimeToLive", {dynamodb::describe_time_to_live, nullptr}},
      {"TagResource", {dynamodb::tag_resource, nullptr}},
      {"UntagResource", {dynamodb::untag_resource, nullptr}},
      {"ListTagsOfResource", {dynamodb::list_tags_of_resource, nullptr}},
      {"GetItem", {dynamodb::get_item, nullptr}},
      {"BatchGetItem", {dynamodb::batch_get_item, nullptr}},
      {"Query", {dynamodb::query, nullptr}},
      {"Scan", {dynamodb::scan, nullptr}},
      {"PutItem", {nullptr, dynamodb::put_item}},
      {"DeleteItem", {nullptr, dynamodb::delete_item}},
      {"BatchWriteItem", {nullptr, dynamodb::batch_write_item}},
      {"UpdateItem", {nullptr, dynamodb::update_item}},
      {"TransactWriteItems", {nullptr, dynamodb::transact_write_items}},
      {"TransactGetItems", {dynamodb::transact_get_items, nullptr}},
  };
  const aws::model::Operation* modelled = aws::model::dynamodb.operation(operation);
  auto handler = kHandlers.find(operation);
  if (modelled == nullptr || handler == kHandlers.end())
    return done(dynamodb::answer_of(aws::ApiError{400, "UnknownOperationException", "An unknown operation was requested."}));
  thread_local simdjson::dom::parser parser;
  element root;
  if (auto invalid = parse_request(aws::model::dynamodb, *modelled, body, parser, root)) return done(dynamodb::answer_of(*invalid));
  try {
    if (handler->second.write) return handler->second.write(state_->context, root, done);
    done(ApiAnswer{200, handler->second.read(state_->context, root)});
  } catch (const aws::ApiError& e) {
    done(dynamodb::answer_of(e));
  }
}

ApiAnswer DynamoDbApi::call(std::string_view operation, std::string_view body) {
  std::promise<ApiAnswer> answer;
  call(operation, body, [&answer](ApiAnswer a) { answer.set_value(std::move(a)); });
  return answer.get_future().get();
}

}  // namespace millrace::serve
