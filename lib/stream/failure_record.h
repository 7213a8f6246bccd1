// Failure records: what `ks-consume --exec --on-failure STREAM` appends for a batch it gives up
// on, in the shape Lambda sends to an on-failure destination of a Kinesis event source mapping.
// The record points at the batch (shard, first and last sequence numbers); the data stays in
// the source stream, readable with `--from at:SEQ` until retention removes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lines/time.h"

namespace millrace::stream {

// requestContext.condition: why the batch was given up on (Lambda's values for streams).
inline constexpr std::string_view kRetryAttemptsExhausted = "RetryAttemptsExhausted";
inline constexpr std::string_view kRecordAgeExceeded = "RecordAgeExceeded";

// responseContext.functionError. Lambda has "Handled" and "Unhandled"; a function that exits
// with an error, is killed, or runs past its timeout is "Unhandled" (Lambda reports a timeout as
// an unhandled error, Sandbox.Timedout), and a shell command has no way to raise a handled one:
// millrace uses kUnhandled for HandlerResult's failed and timed_out alike. A batch whose last
// invocation succeeded but listed batchItemFailures had no function error: leave it empty, and
// the field is left out, as Lambda leaves it out of a response without one.
inline constexpr std::string_view kUnhandled = "Unhandled";

struct FailedBatch {
  std::string function;  // the function's name: ks-consume's group, else the stream
  std::string region;    // aws::region()
  std::string stream, shard_id, start_sequence, end_sequence;  // shard_id as "shardId-000000000001"
  lines::EpochMs first_arrival_ms, last_arrival_ms, now_ms;    // now_ms: the record's timestamp
  std::uint32_t batch_size;                                    // records from start to end
  std::uint32_t invoke_count;                                  // invocations of the handler for it
  std::string condition;       // kRetryAttemptsExhausted, kRecordAgeExceeded, ...
  std::string function_error;  // kUnhandled, or empty (see above)
};

// The record as one line of JSON, without a newline, in the field order of Lambda's example:
// requestContext (requestId, a random UUID v4; functionArn
// "arn:aws:lambda:REGION:000000000000:function:FUNCTION"; condition; approximateInvokeCount),
// responseContext (statusCode 200, executedVersion "$LATEST", functionError), version "1.0",
// timestamp, KinesisBatchInfo (shardId, startSequenceNumber, endSequenceNumber,
// approximateArrivalOfFirstRecord, approximateArrivalOfLastRecord, batchSize, streamArn
// "arn:aws:kinesis:REGION:000000000000:stream/NAME"). Times are ISO 8601 UTC with milliseconds.
// Thread-safe.
std::string failure_record_json(const FailedBatch& batch);

}  // namespace millrace::stream
