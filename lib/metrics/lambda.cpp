#include "metrics/lambda.h"

namespace millrace::metrics {
namespace {

Recorder::Series function_series(Recorder& recorder, std::string name, const std::string& function, Unit unit) {
  return recorder.series(MetricId(std::string(kLambda), std::move(name), {{"FunctionName", function}}), unit);
}

}  // namespace

FunctionMetrics::FunctionMetrics(Recorder& recorder, const std::string& function)
    : recorder_(recorder),
      invocations_(function_series(recorder, "Invocations", function, Unit::count)),
      errors_(function_series(recorder, "Errors", function, Unit::count)),
      duration_(function_series(recorder, "Duration", function, Unit::milliseconds)),
      iterator_age_(function_series(recorder, "IteratorAge", function, Unit::milliseconds)),
      throttles_(function_series(recorder, "Throttles", function, Unit::count)) {}

void FunctionMetrics::add(const Invocation& invocation) {
  recorder_.add(invocations_, 1, invocation.at);
  recorder_.add(errors_, invocation.error ? 1 : 0, invocation.at);
  recorder_.add(duration_, invocation.duration_ms, invocation.at);
  recorder_.add(iterator_age_, static_cast<double>(invocation.iterator_age_ms), invocation.at);
  recorder_.add(throttles_, 0, invocation.at);
}

}  // namespace millrace::metrics
