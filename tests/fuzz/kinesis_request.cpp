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
#include "fuzz.h"
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
  Fixture() : env(directory(), store::Access::write, store::Sync::none), notifier(env.dir()), committer(env, notifier), api(env, committer) {
    stream::ensure_stream(env, "s", 2);
  }
  static std::string directory() {
    char pattern[] = "/tmp/millrace-fuzz-kinesis-XXXXXX";
    require(::mkdtemp(pattern) != nullptr, "mkdtemp");
    return pattern;
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
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return 0;
  // The operation the first line names, else one picked by it.
  const aws::model::Operation* named = aws::model::kinesis.operation(text.substr(0, newline));
  const auto& operations = aws::model::kinesis.operations;
  std::size_t index = 0;
  for (char c : text.substr(0, newline)) index = index * 31 + static_cast<unsigned char>(c);
  const aws::model::Operation& operation = named ? *named : operations[index % operations.size()];
  std::string body(text.substr(newline + 1));

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
