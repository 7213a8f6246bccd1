// Envelopes, as `ks-consume --format envelope` prints them, read back by the programs that take
// `--format envelope` input.
//
//   {"stream":"S","group":"G","shard":"shardId-000000000000","seq":"10000000000000001",
//    "pk":"K","ts":"2026-11-23T10:00:00.123Z","data":<the record's JSON, or a JSON string>}
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace millrace::lines {

struct Envelope {
  // The fields as given, unescaped; empty when absent ("group" is there only for a group).
  std::string_view stream, group, shard, seq, pk, ts;
  std::string_view data;  // the record: its JSON text byte for byte, or the bytes of a string
  bool json = true;       // false: "data" was a JSON string, the record is not JSON
};

// Reads envelopes. One per thread.
class EnvelopeReader {
 public:
  // Reads the envelope `text`, which is valid JSON (checked already) followed by lines::kPadding
  // readable bytes. The views in `out` last until the next call. Returns what is wrong instead
  // (not an object, a field of the wrong type, no "data").
  std::optional<std::string> read(std::string_view text, Envelope& out);

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace millrace::lines
