// The DynamoDB API's requests as gw-serve decodes them: the body checked against AWS's model
// (aws/validate.h), then the operation run on a store (serve/dynamodb_api.h), typed values
// converted (aws/attribute_value.h), keys encoded, pages read.
//
// Input: the first line names the operation (or picks one of the model's), the rest is the
// request body.
//
// Checks: every answer is JSON (or, for tagging, empty) with 200, or 400/500 with a __type in
// DynamoDB's namespaces and a message; a body that is not JSON is a SerializationException; an
// answer of 400 for a body the model takes is never a ValidationException of the model's (only
// the operation's own checks).
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "aws/model.h"
#include "aws/validate.h"
#include "api_call.h"
#include "serve/dynamodb_api.h"
#include "serve/item_committer.h"
#include "store/env.h"

using namespace millrace;
using fuzz::require;

namespace {

// One store for the whole run, with tables the inputs can name: "rides" (S and N keys) and
// "blobs" (a B key).
struct Fixture {
  Fixture() : env(fuzz::store_directory("/tmp/millrace-fuzz-dynamodb"), store::Access::write, store::Sync::none), committer(env), api(env, committer) {
    api.call("CreateTable", R"({"TableName":"rides","KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},)"
                            R"({"AttributeName":"At","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"Name",)"
                            R"("AttributeType":"S"},{"AttributeName":"At","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"})");
    api.call("CreateTable", R"({"TableName":"blobs","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
                            R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"BillingMode":"PAY_PER_REQUEST"})");
  }
  store::Env env;
  serve::ItemCommitter committer;
  serve::DynamoDbApi api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string_view text = fuzz::as_text(data, size);
  fuzz::ApiCall call = fuzz::api_call_of(aws::model::dynamodb, text);
  if (!call.operation) return 0;
  const aws::model::Operation& operation = *call.operation;
  std::string& body = call.body;

  serve::ApiAnswer answer = fixture.api.call(operation.name, body);
  if (answer.status == 200 && answer.body.empty()) return 0;  // TagResource, UntagResource
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  require(!parser.parse(answer.body).get(root), "an answer that is not JSON");
  if (answer.status == 200) return 0;
  require(answer.status == 400 || answer.status == 500, "an error status other than 400 or 500");
  std::string_view type, message;
  require(!root["__type"].get(type) && !root["message"].get(message), "an error without __type and message");
  require(type.starts_with("com.amazonaws.dynamodb.v20120810#") || type.starts_with("com.amazon.coral."),
          "a __type outside DynamoDB's namespaces");
  simdjson::dom::parser body_parser;
  simdjson::dom::element request;
  bool json = !body_parser.parse(body).get(request);
  if (!json) require(type.ends_with("#SerializationException") || type.ends_with("#UnknownOperationException"), "a body that is not JSON, answered otherwise");
  // The model's own words open its message ("1 validation error detected: ...", "2 validation
  // errors detected: ..."); the operations' messages may quote the request, words and all.
  std::size_t count_end = message.find_first_not_of("0123456789");
  bool models_words = count_end > 0 && count_end != std::string_view::npos &&
                      (message.substr(count_end).starts_with(" validation error detected") ||
                       message.substr(count_end).starts_with(" validation errors detected"));
  if (json && type.ends_with("#ValidationException") && !aws::validate(aws::model::dynamodb, operation, request))
    // Scan's Segment past TotalSegments is answered in the model's words, as DynamoDB Local
    // does, though the model bounds it by 999999 only.
    require(!models_words || message.find("at 'segment'") != std::string_view::npos,
            "the model's ValidationException for a body the model takes");
  return 0;
}
