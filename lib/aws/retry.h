// AWS's retry rules for the AWS client: which failures are worth another attempt, how long to
// wait before it, and how many attempts there are.
//
// Retried: a request that got no answer (a refused or reset connection, a timeout), HTTP 5xx
// and 429, and the throttling and transient errors of botocore's standard retry mode
// (ThrottlingException, ProvisionedThroughputExceededException, LimitExceededException,
// RequestLimitExceeded, TransactionInProgressException, RequestTimeout...). Anything else is
// the caller's to report.
//
// The wait before attempt n+1 is "full jitter" (AWS's Architecture Blog, "Exponential Backoff
// and Jitter"): a uniformly random time between 0 and min(20 s, 100 ms × 2^(n-1)), so that many
// clients throttled together do not come back together.
//
// Attempts: AWS_MAX_ATTEMPTS, as botocore and the aws CLI read it (the first try included),
// else 10; a producer would rather wait than give up after botocore's default of 3.
#pragma once

#include <chrono>
#include <random>
#include <string_view>

namespace millrace::aws {

bool is_throttling_error(std::string_view type);
// `status` 0: no answer.
bool is_retryable(long status, std::string_view error_type);

class RetryPolicy {
 public:
  static constexpr int kDefaultAttempts = 10;
  static constexpr std::chrono::milliseconds kBase{100};
  static constexpr std::chrono::milliseconds kCap{20'000};

  // AWS_MAX_ATTEMPTS, else kDefaultAttempts. Throws cli::Error(usage) for a value that is not
  // a whole number from 1 to 100.
  static RetryPolicy from_environment();
  explicit RetryPolicy(int max_attempts);

  int max_attempts() const { return max_attempts_; }
  // The wait after the `attempt`-th failed attempt (1-based).
  std::chrono::milliseconds backoff(int attempt);

 private:
  int max_attempts_;
  std::mt19937_64 random_;
};

}  // namespace millrace::aws
