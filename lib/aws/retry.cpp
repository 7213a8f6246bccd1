#include "aws/retry.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <string>

#include "cli/error.h"

namespace millrace::aws {
namespace {

// botocore's retries/standard.py: its throttling codes and its transient ones.
constexpr std::array<std::string_view, 12> kThrottling = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
    "SlowDown"};
constexpr std::array<std::string_view, 5> kTransient = {"RequestTimeout", "RequestTimeoutException",
                                                        "PriorRequestNotComplete", "InternalFailure",
                                                        "ServiceUnavailable"};

}  // namespace

bool is_throttling_error(std::string_view type) {
  return std::find(kThrottling.begin(), kThrottling.end(), type) != kThrottling.end();
}

bool is_retryable(long status, std::string_view error_type) {
  if (status == 0 || status >= 500 || status == 429) return true;
  return is_throttling_error(error_type) ||
         std::find(kTransient.begin(), kTransient.end(), error_type) != kTransient.end();
}

RetryPolicy RetryPolicy::from_environment() {
  const char* text = std::getenv("AWS_MAX_ATTEMPTS");
  if (text == nullptr || *text == '\0') return RetryPolicy(kDefaultAttempts);
  std::string_view value(text);
  int attempts = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), attempts);
  if (error != std::errc{} || end != value.data() + value.size() || attempts < 1 || attempts > 100)
    throw cli::Error(cli::Exit::usage, "AWS_MAX_ATTEMPTS", "not a whole number from 1 to 100");
  return RetryPolicy(attempts);
}

RetryPolicy::RetryPolicy(int max_attempts) : max_attempts_(max_attempts), random_(std::random_device{}()) {}

std::chrono::milliseconds RetryPolicy::backoff(int attempt) {
  std::chrono::milliseconds ceiling = kCap;
  if (attempt <= 16) ceiling = std::min(kCap, std::chrono::milliseconds(kBase.count() << (std::max(attempt, 1) - 1)));
  std::uniform_int_distribution<std::int64_t> wait(0, ceiling.count());
  return std::chrono::milliseconds(wait(random_));
}

}  // namespace millrace::aws
