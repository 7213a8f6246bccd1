#include "stream/formats.h"

#include <fmt/format.h>

#include "lines/json.h"
#include "lines/time.h"
#include "store/sequence.h"

namespace millrace::stream {
namespace {

// The account and region of the ARNs in events: fixed, as local emulators of AWS do.
constexpr std::string_view kAccount = "000000000000";
constexpr std::string_view kRegion = "local";

void append_iso(std::string& out, lines::EpochMs ms) {
  std::size_t at = out.size();
  out.resize(at + lines::kIsoLength);
  lines::format_iso8601(ms, out.data() + at);
}

}  // namespace

void append_data(std::string& out, const store::Record& record) {
  out.append(record.data);
  out.push_back('\n');
}

void append_envelope(std::string& out, const store::Record& record, const Source& source) {
  out.append("{\"stream\":");
  lines::append_json_string(out, source.stream);
  if (source.group) {
    out.append(",\"group\":");
    lines::append_json_string(out, *source.group);
  }
  out.append(",\"shard\":\"").append(store::shard_id(record.position.shard)).append("\",\"seq\":\"");
  store::append_sequence(out, record.position);
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

LambdaEvent::LambdaEvent(const Source& source)
    : event_source_arn_(fmt::format("arn:aws:kinesis:{}:{}:stream/{}", kRegion, kAccount, source.stream)) {}

void LambdaEvent::begin(std::string& out) const { out.append("{\"Records\":["); }

void LambdaEvent::add(std::string& out, const store::Record& record, bool first) {
  if (!first) out.push_back(',');
  out.append("{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":");
  lines::append_json_string(out, record.partition_key);
  out.append(",\"sequenceNumber\":\"");
  store::append_sequence(out, record.position);
  out.append("\",\"data\":\"");
  lines::append_base64(out, record.data);
  fmt::format_to(std::back_inserter(out), "\",\"approximateArrivalTimestamp\":{}.{:03}}}", record.arrival_ms / 1000,
                 record.arrival_ms % 1000);
  out.append(",\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":\"");
  out.append(store::shard_id(record.position.shard)).push_back(':');
  store::append_sequence(out, record.position);
  fmt::format_to(std::back_inserter(out),
                 "\",\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":\"arn:aws:iam::{}:role/millrace\","
                 "\"awsRegion\":\"{}\",\"eventSourceARN\":\"{}\"}}",
                 kAccount, kRegion, event_source_arn_);
}

void LambdaEvent::end(std::string& out) const { out.append("]}\n"); }

}  // namespace millrace::stream
