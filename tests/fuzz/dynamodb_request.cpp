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
#include "fuzz.h"
#include "serve/dynamodb_api.h"
#include "serve/item_committer.h"
#include "store/env.h"

using namespace millrace;
using fuzz::require;

namespace {

// One store for the whole run, with tables the inputs can name: "rides" (S and N keys) and
// "blobs" (a B key).
struct Fixture {
  Fixture() : env(directory(), store::Access::write, store::Sync::none), committer(env), api(env, committer) {
    api.call("CreateTable", R"({"TableName":"rides","KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},)"
                            R"({"AttributeName":"At","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"Name",)"
                            R"("AttributeType":"S"},{"AttributeName":"At","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"})");
    api.call("CreateTable", R"({"TableName":"blobs","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
                            R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"BillingMode":"PAY_PER_REQUEST"})");
  }
  static std::string directory() {
    char pattern[] = "/tmp/millrace-fuzz-dynamodb-XXXXXX";
    require(::mkdtemp(pattern) != nullptr, "mkdtemp");
    return pattern;
  }
  store::Env env;
  serve::ItemCommitter committer;
  serve::DynamoDbApi api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string_view text = fuzz::as_text(data, size);
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  // The operation the first line names, else one picked by it.
  const aws::model::Operation* named = aws::model::dynamodb.operation(text.substr(0, newline));
  const auto& operations = aws::model::dynamodb.operations;
  std::size_t index = 0;
  for (char c : text.substr(0, newline)) index = index * 31 + static_cast<unsigned char>(c);
  const aws::model::Operation& operation = named ? *named : operations[index % operations.size()];
  std::string body(text.substr(newline + 1));

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
  if (json && type.ends_with("#ValidationException") && !aws::validate(aws::model::dynamodb, operation, request))
    // Scan's Segment past TotalSegments is answered in the model's words, as DynamoDB Local
    // does, though the model bounds it by 999999 only.
    require((!message.starts_with("1 validation error") || message.find("at 'segment'") != std::string_view::npos) &&
                message.find("validation errors detected") == std::string_view::npos,
            "the model's ValidationException for a body the model takes");
  return 0;
}
