// The output formats of ks-consume: data, envelope, and the Kinesis event of a Lambda function.
//
// data: the record's bytes and a newline.
// envelope: {"stream","group"(with a group),"shard","seq","pk","ts","data"}; "data" is the record's
//   JSON as stored, or a JSON string where the record is not JSON. ks-put --format envelope
//   takes it back.
// lambda: {"Records":[...]} exactly as Lambda's Kinesis event source delivers a batch, the data
//   in base64, so a real handler runs unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/records.h"

namespace millrace::stream {

enum class OutputFormat { data, envelope, lambda };
// Their names on the command line.
inline const std::vector<std::pair<std::string, OutputFormat>> kOutputFormats = {
    {"data", OutputFormat::data}, {"envelope", OutputFormat::envelope}, {"lambda", OutputFormat::lambda}};

// Where records come from, for the envelope and event fields.
struct Source {
  std::string stream;
  std::optional<std::string> group;
};

void append_data(std::string& out, const store::Record& record);
void append_envelope(std::string& out, const store::Record& record, const Source& source);

// A Lambda event, built one record at a time. Its ARNs and awsRegion name aws::region().
class LambdaEvent {
 public:
  explicit LambdaEvent(const Source& source);
  void begin(std::string& out) const;
  void add(std::string& out, const store::Record& record, bool first) const;
  void end(std::string& out) const;

 private:
  std::string record_end_;  // what closes every record: the same for all of them
};

}  // namespace millrace::stream
