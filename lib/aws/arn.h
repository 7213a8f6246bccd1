// The account and region that millrace's ARNs name, and the ARNs themselves: one definition for
// every program, so that the stream ARN of a Lambda event (ks-consume), of DescribeStream
// (gw-serve) and of a failure record are the same string.
#pragma once

#include <string>
#include <string_view>

namespace millrace::aws {

// The one account of a store.
inline constexpr std::string_view kAccountId = "000000000000";

// The region: AWS_REGION, else AWS_DEFAULT_REGION (as the SDKs and the aws CLI read them), else
// us-east-1.
std::string region();

// arn:aws:kinesis:REGION:000000000000:stream/NAME
std::string kinesis_stream_arn(std::string_view region, std::string_view stream);
// arn:aws:lambda:REGION:000000000000:function:NAME
std::string lambda_function_arn(std::string_view region, std::string_view function);

}  // namespace millrace::aws
