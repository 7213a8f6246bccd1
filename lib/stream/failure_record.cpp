#include "stream/failure_record.h"

#include <fmt/format.h>

#include "aws/arn.h"
#include "aws/request_id.h"
#include "lines/json.h"

namespace millrace::stream {
namespace {

void append_time(std::string& out, lines::EpochMs ms) {
  char text[lines::kIsoLength];
  lines::format_iso8601(ms, text);
  out.push_back('"');
  out.append(text, lines::kIsoLength);
  out.push_back('"');
}

}  // namespace


std::string failure_record_json(const FailedBatch& batch) {
  std::string out;
  out.reserve(768);  // the record with 56-digit sequence numbers and a long stream name fits
  out.append(R"({"requestContext":{"requestId":")").append(aws::request_id());
  out.append(R"(","functionArn":)");
  lines::append_json_string(out, aws::lambda_function_arn(batch.region, batch.function));
  out.append(R"(,"condition":)");
  lines::append_json_string(out, batch.condition);
  fmt::format_to(std::back_inserter(out), R"(,"approximateInvokeCount":{}}},)", batch.invoke_count);
  out.append(R"("responseContext":{"statusCode":200,"executedVersion":"$LATEST")");
  if (!batch.function_error.empty()) {
    out.append(R"(,"functionError":)");
    lines::append_json_string(out, batch.function_error);
  }
  out.append(R"(},"version":"1.0","timestamp":)");
  append_time(out, batch.now_ms);
  out.append(R"(,"KinesisBatchInfo":{"shardId":)");
  lines::append_json_string(out, batch.shard_id);
  out.append(R"(,"startSequenceNumber":)");
  lines::append_json_string(out, batch.start_sequence);
  out.append(R"(,"endSequenceNumber":)");
  lines::append_json_string(out, batch.end_sequence);
  out.append(R"(,"approximateArrivalOfFirstRecord":)");
  append_time(out, batch.first_arrival_ms);
  out.append(R"(,"approximateArrivalOfLastRecord":)");
  append_time(out, batch.last_arrival_ms);
  fmt::format_to(std::back_inserter(out), R"(,"batchSize":{},"streamArn":)", batch.batch_size);
  lines::append_json_string(out, aws::kinesis_stream_arn(batch.region, batch.stream));
  out.append("}}");
  return out;
}

}  // namespace millrace::stream
