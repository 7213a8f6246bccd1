// Checks a request body against its operation's input shape, as the AWS JSON protocols do before
// an operation runs:
//   - a body that is not a JSON object, or a member of the wrong JSON type (a string where the
//     model has an integer, an object where it has a list, a number past the integer's range),
//     is a SerializationException naming the member;
//   - a missing required member, a length, value, pattern or enum violation is a
//     ValidationException in AWS's words, one clause per violation:
//       1 validation error detected: Value null at 'streamName' failed to satisfy constraint:
//       Member must not be null
//     Members are named as AWS names them: the first letter lower-cased, list elements by their
//     1-based index ('records.1.member.partitionKey'), map values by key.
//   - members the model does not have are ignored, as AWS ignores them.
// Blobs are checked for length in decoded bytes without being decoded.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>

#include "aws/model.h"

namespace millrace::aws {

// An error answer of an AWS JSON API: `{"__type": type, "message": message}` with HTTP status.
struct ApiError {
  int status = 400;
  std::string type;
  std::string message;
  // More members of the error's JSON object, as JSON text without braces, or empty: DynamoDB's
  // ConditionalCheckFailedException gives the item ("Item":{…}), its
  // TransactionCanceledException the reasons ("CancellationReasons":[…]).
  std::string members = {};
};

// The error for `body` (the whole request, parsed) as the input of `operation`, or nullopt when
// it is valid.
std::optional<ApiError> validate(const model::Service& service, const model::Operation& operation,
                                 simdjson::dom::element body);

}  // namespace millrace::aws
