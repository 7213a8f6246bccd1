// AWS's query protocol, the older wire form of CloudWatch (and of SQS, SNS, STS) that the aws
// CLI and boto3 of Debian still speak: a request is a form (application/x-www-form-urlencoded)
// of Action, Version and the input's members flattened by the model (`Name.member.2.Sub=v` for
// the Sub of a list's second structure, `Name.entry.1.key`/`.value` for maps), and the answer
// is XML:
//   <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
//     <GetMetricDataResult>...the output's members...</GetMetricDataResult>
//     <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
//   </GetMetricDataResponse>
// with lists as <Name><member>...</member></Name> and timestamps in ISO 8601.
//
// Both directions go through the JSON that the same operation takes and gives in the JSON
// protocol, guided by the model (aws/model.h): an API is written once, for JSON, and validated
// by aws/validate.h, whichever protocol carried the call.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "aws/model.h"
#include "aws/validate.h"

namespace millrace::aws {

// Whether a request is the query protocol's: a form body that names its Action.
bool is_query_request(std::string_view content_type, std::string_view body);

struct QueryCall {
  const model::Operation* operation;
  std::string json;  // the input, as the JSON protocol carries it
};

// The operation a form body names and its input as JSON. Errors: no Action, or one the service
// does not have (InvalidAction, 400), a number or boolean member that is not one, a timestamp
// that is not ISO 8601 (MalformedInput, 400: the member's path named).
std::variant<QueryCall, ApiError> decode_query(const model::Service& service, std::string_view body);

// The XML answer of `operation` for its output `json` (the JSON protocol's answer). Members the
// output shape does not have are left out, as the JSON ones are ignored by the clients.
std::string encode_query_answer(const model::Service& service, const model::Operation& operation, std::string_view json,
                                std::string_view request_id);

// The query protocol's code of an error of the JSON protocol: the model's code of the exception
// shape named `type` (InvalidParameterValueException is "InvalidParameterValue"), ValidationError
// for aws/validate.h's ValidationException, as the query services name it, else `type` itself.
std::string_view query_error_code(const model::Service& service, std::string_view type);

// The XML error answer: <ErrorResponse><Error><Type>Sender|Receiver</Type><Code>code</Code>
// <Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>, Receiver for a
// status of 500 and above.
std::string encode_query_error(const model::Service& service, const ApiError& error, std::string_view request_id);

}  // namespace millrace::aws
