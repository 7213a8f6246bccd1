#include "aws/arn.h"

#include <cstdlib>

#include <fmt/format.h>

namespace millrace::aws {

std::string region() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (const char* value = std::getenv(name); value && *value) return value;
  return "us-east-1";
}

std::string kinesis_stream_arn(std::string_view region, std::string_view stream) {
  return fmt::format("arn:aws:kinesis:{}:{}:stream/{}", region, kAccountId, stream);
}

std::string lambda_function_arn(std::string_view region, std::string_view function) {
  return fmt::format("arn:aws:lambda:{}:{}:function:{}", region, kAccountId, function);
}

}  // namespace millrace::aws
