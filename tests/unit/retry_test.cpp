#include "aws/retry.h"

#include <doctest/doctest.h>

#include "cli/error.h"
#include "scoped_env.h"

using namespace millrace;
using namespace millrace::aws;
using test::ScopedEnv;

TEST_CASE("throttling, 5xx, 429 and no answer are retried; other errors are not") {
  CHECK(is_retryable(0, ""));
  CHECK(is_retryable(500, "InternalFailure"));
  CHECK(is_retryable(503, ""));
  CHECK(is_retryable(429, ""));
  CHECK(is_retryable(400, "ThrottlingException"));
  CHECK(is_retryable(400, "ProvisionedThroughputExceededException"));
  CHECK(is_retryable(400, "LimitExceededException"));
  CHECK_FALSE(is_retryable(400, "ResourceNotFoundException"));
  CHECK_FALSE(is_retryable(400, "ValidationException"));
  CHECK_FALSE(is_retryable(403, "InvalidSignatureException"));
  CHECK_FALSE(is_retryable(400, "ExpiredIteratorException"));
}

TEST_CASE("the back-off is full jitter under a doubling ceiling, capped at 20 s") {
  RetryPolicy policy(10);
  for (int attempt = 1; attempt <= 20; ++attempt) {
    auto ceiling = std::min<std::int64_t>(20'000, attempt <= 16 ? 100LL << (attempt - 1) : 20'000);
    std::int64_t longest = 0, shortest = ceiling;
    for (int i = 0; i < 400; ++i) {
      std::int64_t wait = policy.backoff(attempt).count();
      CHECK(wait >= 0);
      CHECK(wait <= ceiling);
      longest = std::max(longest, wait);
      shortest = std::min(shortest, wait);
    }
    CAPTURE(attempt);
    // Spread over the whole range, not bunched at the top: the point of full jitter.
    CHECK(longest > ceiling * 3 / 4);
    CHECK(shortest < ceiling / 4);
  }
}

TEST_CASE("AWS_MAX_ATTEMPTS bounds the attempts") {
  {
    ScopedEnv unset("AWS_MAX_ATTEMPTS", nullptr);
    CHECK(RetryPolicy::from_environment().max_attempts() == RetryPolicy::kDefaultAttempts);
  }
  {
    ScopedEnv three("AWS_MAX_ATTEMPTS", "3");
    CHECK(RetryPolicy::from_environment().max_attempts() == 3);
  }
  for (const char* bad : {"0", "101", "-1", "3x", " 3"}) {
    CAPTURE(bad);
    ScopedEnv wrong("AWS_MAX_ATTEMPTS", bad);
    CHECK_THROWS_AS(RetryPolicy::from_environment(), cli::Error);
  }
}
