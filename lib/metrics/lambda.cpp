#include "metrics/lambda.h"

namespace millrace::metrics {
FunctionMetrics::FunctionMetrics(Recorder& recorder, const std::string& function)
    : recorder_(recorder),
      invocations_(recorder.series(kLambda, "Invocations", {{"FunctionName", function}}, Unit::count)),
      errors_(recorder.series(kLambda, "Errors", {{"FunctionName", function}}, Unit::count)),
      duration_(recorder.series(kLambda, "Duration", {{"FunctionName", function}}, Unit::milliseconds)),
      iterator_age_(recorder.series(kLambda, "IteratorAge", {{"FunctionName", function}}, Unit::milliseconds)),
      throttles_(recorder.series(kLambda, "Throttles", {{"FunctionName", function}}, Unit::count)) {}

void FunctionMetrics::add(const Invocation& invocation) {
  recorder_.add(invocations_, 1, invocation.at);
  recorder_.add(errors_, invocation.error ? 1 : 0, invocation.at);
  recorder_.add(duration_, invocation.duration_ms, invocation.at);
  recorder_.add(iterator_age_, static_cast<double>(invocation.iterator_age_ms), invocation.at);
  recorder_.add(throttles_, 0, invocation.at);
}

}  // namespace millrace::metrics
