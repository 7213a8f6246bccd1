#include "archive/error_record.h"

#include <fmt/format.h>

#include "lines/json.h"

namespace millrace::archive {

std::string_view error_output_type(Failure failure) {
  return failure == Failure::processing ? "processing-failed" : "partitioning-failed";
}

void append_error_record(std::string& out, const ErrorRecord& record) {
  fmt::format_to(std::back_inserter(out), "{{\"attemptsMade\":1,\"arrivalTimestamp\":{},\"errorCode\":", record.arrival);
  lines::append_json_string(out, record.code);
  out.append(",\"errorMessage\":");
  lines::append_json_string(out, record.message);
  fmt::format_to(std::back_inserter(out), ",\"attemptEndingTimestamp\":{},\"rawData\":\"", record.attempted);
  lines::append_base64(out, record.raw);
  out.push_back('"');
  if (record.position) {
    out.append(",\"sequenceNumber\":\"");
    store::append_sequence(out, *record.position);
    out.push_back('"');
  }
  out.append("}\n");
}

}  // namespace millrace::archive
