// The metrics of AWS Lambda (namespace AWS/Lambda) that ks-consume --exec and --handler record
// for the function of a consumer group (FunctionName: the group), at the checkpoint commit
// that follows each batch, by CloudWatch's names, units and dimensions:
//
//   Invocations   Count         1 per run of the handler on a batch (retries and halves of a
//                               bisected batch are runs of their own)
//   Errors        Count         1 per run that failed (an exit status other than 0, a signal, a
//                               timeout, a runtime's error), 0 per run that did not: its Sum is
//                               the errors, its Average the error rate
//   Duration      Milliseconds  the run's time, from handing the batch over to its end
//   IteratorAge   Milliseconds  the age of the batch's last record when the batch was handed over
//   Throttles     Count         0 per run: a batch waits for its shard's turn, never throttled
#pragma once

#include <string>

#include "lines/time.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kLambda = "AWS/Lambda";

// One run of a handler on a batch.
struct Invocation {
  lines::EpochMs at = 0;            // when the batch was handed over
  double duration_ms = 0;
  bool error = false;
  lines::EpochMs iterator_age_ms = 0;
};

class FunctionMetrics {
 public:
  FunctionMetrics(Recorder& recorder, const std::string& function);
  void add(const Invocation& invocation);

 private:
  Recorder& recorder_;
  Recorder::Series invocations_, errors_, duration_, iterator_age_, throttles_;
};

}  // namespace millrace::metrics
