// The Kinesis API's requests as gw-serve decodes them: the body checked against AWS's model
// (aws/validate.h), then the operation run on a store (serve/kinesis_api.h).
//
// Input: the first line names the operation (or picks one of the model's), the rest is the
// request body.
//
// Checks: every answer is JSON with 200, or 400/500 with a __type and a message; a body that
// is not JSON is a SerializationException; an answer of 400 for a body the model takes is
// never a ValidationException of the model's (only the operation's own checks).
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "aws/model.h"
#include "aws/validate.h"
#include "api_call.h"
#include "serve/kinesis_api.h"
#include "serve/record_committer.h"
#include "store/env.h"
#include "store/notify.h"
#include "stream/admin.h"

using namespace millrace;
using fuzz::require;

namespace {

// One store for the whole run, with a stream of 2 shards the inputs can name.
struct Fixture {
  Fixture() : env(fuzz::store_directory("/tmp/millrace-fuzz-kinesis"), store::Access::write, store::Sync::none), notifier(env.dir()), committer(env, notifier), api(env, committer) {
    stream::ensure_stream(env, "s", 2);
  }
  store::Env env;
  store::Notifier notifier;
  serve::RecordCommitter committer;
  serve::KinesisApi api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string_view text = fuzz::as_text(data, size);
  fuzz::ApiCall call = fuzz::api_call_of(aws::model::kinesis, text);
  if (!call.operation) return 0;
  const aws::model::Operation& operation = *call.operation;
  std::string& body = call.body;

  serve::ApiAnswer answer = fixture.api.call(operation.name, body);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  require(!parser.parse(answer.body).get(root), "an answer that is not JSON");
  if (answer.status == 200) return 0;
  require(answer.status == 400 || answer.status == 500, "an error status other than 400 or 500");
  std::string_view type, message;
  require(!root["__type"].get(type) && !root["message"].get(message), "an error without __type and message");
  simdjson::dom::parser body_parser;
  simdjson::dom::element request;
  bool json = !body_parser.parse(body).get(request);
  if (!json) require(type == "SerializationException" || type == "UnknownOperationException", "a body that is not JSON, answered otherwise");
  if (json && type == "ValidationException" && !aws::validate(aws::model::kinesis, operation, request))
    require(!message.starts_with("1 validation error") && message.find("validation errors detected") == std::string_view::npos,
            "the model's ValidationException for a body the model takes");
  return 0;
}
