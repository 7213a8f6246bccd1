// Error records: what fh-archive writes under the error prefix for a record it cannot deliver,
// in the shape of Firehose's error output:
//   {"attemptsMade":1,"arrivalTimestamp":MS,"errorCode":"…","errorMessage":"…",
//    "attemptEndingTimestamp":MS,"rawData":"BASE64"[,"sequenceNumber":"…"]}
// rawData is the record's bytes as read (the line, or an envelope's data), in base64, so that
// nothing is lost; sequenceNumber is there when the record came from a stream.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "store/sequence.h"

namespace millrace::archive {

// Why a record could not be delivered; its name is !{firehose:error-output-type}.
enum class Failure { processing, partitioning };
std::string_view error_output_type(Failure failure);

struct ErrorRecord {
  Failure failure;
  std::string_view code;     // errorCode, such as "Processing.InvalidJson"
  std::string_view message;  // errorMessage
  std::string_view raw;      // the record's bytes
  lines::EpochMs arrival = 0;
  lines::EpochMs attempted = 0;
  std::optional<store::Position> position;
};

// Appends the error record as one JSON line, with its newline.
void append_error_record(std::string& out, const ErrorRecord& record);

}  // namespace millrace::archive
