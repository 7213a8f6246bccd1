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

#include "lines/time.h"
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

// A record read from an endpoint: its shard and sequence number are the service's, as text.
struct RemoteRecord {
  std::string_view shard_id;
  std::string_view sequence;
  std::string_view partition_key;
  std::string_view data;
  lines::EpochMs arrival_ms;
  bool json;  // the data is one JSON text (as ks-put validated it): envelopes carry it as JSON
};

// Each format is written once for both kinds of record (store::Record, RemoteRecord).
template <class Record>
void append_data(std::string& out, const Record& record);
template <class Record>
void append_envelope(std::string& out, const Record& record, const Source& source);

// A Lambda event, built one record at a time. Its ARNs and awsRegion name aws::region().
class LambdaEvent {
 public:
  explicit LambdaEvent(const Source& source);
  void begin(std::string& out) const;
  template <class Record>
  void add(std::string& out, const Record& record, bool first) const;
  void end(std::string& out) const;

 private:
  std::string record_end_;  // what closes every record: the same for all of them
};

}  // namespace millrace::stream
