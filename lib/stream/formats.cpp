#include "stream/formats.h"

#include <fmt/format.h>

#include <charconv>

#include "aws/arn.h"
#include "lines/json.h"
#include "lines/time.h"
#include "store/sequence.h"

namespace millrace::stream {
namespace {


void append_iso(std::string& out, lines::EpochMs ms) {
  std::size_t at = out.size();
  out.resize(at + lines::kIsoLength);
  lines::format_iso8601(ms, out.data() + at);
}

void append_shard_id(std::string& out, const store::Record& record) {
  store::append_shard_id(out, record.position.shard);
}
void append_sequence(std::string& out, const store::Record& record) { store::append_sequence(out, record.position); }
void append_shard_id(std::string& out, const RemoteRecord& record) { out.append(record.shard_id); }
void append_sequence(std::string& out, const RemoteRecord& record) { out.append(record.sequence); }

}  // namespace

template <class Record>
void append_data(std::string& out, const Record& record) {
  out.append(record.data);
  out.push_back('\n');
}

template <class Record>
void append_envelope(std::string& out, const Record& record, const Source& source) {
  out.append("{\"stream\":");
  lines::append_json_string(out, source.stream);
  if (source.group) {
    out.append(",\"group\":");
    lines::append_json_string(out, *source.group);
  }
  out.append(",\"shard\":\"");
  append_shard_id(out, record);
  out.append("\",\"seq\":\"");
  append_sequence(out, record);
  out.append("\",\"pk\":");
  lines::append_json_string(out, record.partition_key);
  out.append(",\"ts\":\"");
  append_iso(out, record.arrival_ms);
  out.append("\",\"data\":");
  if (record.json) {
    out.append(record.data);
  } else {
    lines::append_json_string(out, record.data);
  }
  out.append("}\n");
}

LambdaEvent::LambdaEvent(const Source& source) {
  std::string region = aws::region();
  record_end_ = fmt::format(
      "\",\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":\"arn:aws:iam::{}:role/millrace\","
      "\"awsRegion\":{},\"eventSourceARN\":{}}}",
      aws::kAccountId, lines::json_string(region), lines::json_string(aws::kinesis_stream_arn(region, source.stream)));
}

void LambdaEvent::begin(std::string& out) const { out.append("{\"Records\":["); }

template <class Record>
void LambdaEvent::add(std::string& out, const Record& record, bool first) const {
  if (!first) out.push_back(',');
  out.append("{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":");
  lines::append_json_string(out, record.partition_key);
  out.append(",\"sequenceNumber\":\"");
  append_sequence(out, record);
  out.append("\",\"data\":\"");
  lines::append_base64(out, record.data);
  // Seconds with milliseconds: 1795428000.123.
  char seconds[32];
  char* end = std::to_chars(seconds, seconds + sizeof seconds, record.arrival_ms / 1000).ptr;
  std::int64_t ms = record.arrival_ms % 1000;
  *end++ = '.';
  *end++ = static_cast<char>('0' + ms / 100);
  *end++ = static_cast<char>('0' + ms / 10 % 10);
  *end++ = static_cast<char>('0' + ms % 10);
  out.append("\",\"approximateArrivalTimestamp\":").append(seconds, end);
  out.append("},\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":\"");
  append_shard_id(out, record);
  out.push_back(':');
  append_sequence(out, record);
  out.append(record_end_);
}

void LambdaEvent::end(std::string& out) const { out.append("]}\n"); }

template void append_data(std::string&, const store::Record&);
template void append_data(std::string&, const RemoteRecord&);
template void append_envelope(std::string&, const store::Record&, const Source&);
template void append_envelope(std::string&, const RemoteRecord&, const Source&);
template void LambdaEvent::add(std::string&, const store::Record&, bool) const;
template void LambdaEvent::add(std::string&, const RemoteRecord&, bool) const;

}  // namespace millrace::stream
