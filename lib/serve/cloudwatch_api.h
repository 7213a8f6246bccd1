// CloudWatchApi: CloudWatch's metrics API over the store's metrics (metrics/query.h), for
// gw-serve: ListMetrics, GetMetricData and GetMetricStatistics. Each call takes the operation's
// name and its input as JSON (JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.OP`, or
// the query protocol's form made JSON by aws/query_protocol.h) and gives the output as JSON or
// an error, validated against AWS's model first.
//
// The metrics are statistic sets per minute, so that:
//   - Period is a multiple of 60 seconds (InvalidParameterValue otherwise), and periods are
//     aligned on multiples of the period since the epoch, as CloudWatch aligns them;
//   - the statistics are SampleCount, Average, Sum, Minimum and Maximum; a percentile (p99, an
//     ExtendedStatistic) and metric math (Expression) are refused with InvalidParameterValue
//     naming them;
//   - a period without points is left out, as CloudWatch leaves it.
// GetMetricData answers newest first unless ScanBy is TimestampAscending, and at most
// MaxDatapoints values over all its queries, with StatusCode PartialData and a NextToken to
// go on from where it stopped; GetMetricStatistics refuses more than 1,440 datapoints, and
// ListMetrics answers 500 metrics a page, as CloudWatch does.
//
// GET /metrics is the same metrics as the Prometheus text format, counters of what was recorded
// since recording began (metrics/prometheus.h).
//
// Thread safety: call() may run on many threads at once; each is one read transaction.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "aws/validate.h"
#include "serve/api.h"
#include "store/env.h"

namespace millrace::serve {

class CloudWatchApi {
 public:
  explicit CloudWatchApi(store::Env& env) : env_(env) {}

  // Answers `operation` (the part of X-Amz-Target after "GraniteServiceVersion20100801.") with
  // `body`. An operation the API does not have is an UnknownOperationException.
  ApiAnswer call(std::string_view operation, std::string_view body);
  // The same: the output's JSON, or the error (for the query protocol's XML).
  std::variant<std::string, aws::ApiError> answer(std::string_view operation, std::string_view body);

  // Every metric kept, as the Prometheus text format (metrics/prometheus.h).
  std::string prometheus_text();

 private:
  store::Env& env_;
};

}  // namespace millrace::serve
