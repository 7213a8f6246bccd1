// The metrics of Amazon Data Firehose (namespace AWS/Firehose) that fh-archive records when it
// archives a consumer group's records (-s STREAM -g GROUP, or envelopes that name a group), at
// the commits of the group's checkpoints, by CloudWatch's names, units and dimensions.
// DeliveryStreamName: the bucket's directory name, a slash and the group ("bucket/archive").
//
//   IncomingRecords, IncomingBytes  Count, Bytes  the group's records taken since the last
//                                                 commit, one sample per commit (records read
//                                                 again after a crash, already archived, aside)
//   DeliveryToS3.Records            Count         per object published: its records
//   DeliveryToS3.Bytes              Bytes         per object published: its size, compressed
//   DeliveryToS3.DataFreshness      Seconds       per object published: the age of its oldest
//                                                 record (since fh-archive took it) then
//   DeliveryToS3.Success            Count         1 per object published
// Objects of the error prefix are not deliveries: they count in none of these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "lines/time.h"
#include "metrics/recorder.h"

namespace millrace::metrics {

inline constexpr std::string_view kFirehose = "AWS/Firehose";

// The DeliveryStreamName of the bucket whose canonical path is `bucket` and of `group`.
std::string delivery_stream_name(const std::filesystem::path& bucket, std::string_view group);

class DeliveryMetrics {
 public:
  DeliveryMetrics(Recorder& recorder, const std::string& delivery_stream);
  void incoming(std::uint64_t records, std::uint64_t bytes, lines::EpochMs at);
  // An object of `records` records and `bytes` bytes, whose oldest record was taken at
  // `oldest_taken`, published at `at`.
  void delivered(std::uint64_t records, std::uint64_t bytes, lines::EpochMs oldest_taken, lines::EpochMs at);

 private:
  Recorder& recorder_;
  Recorder::Series incoming_records_, incoming_bytes_, records_, bytes_, freshness_, success_;
};

}  // namespace millrace::metrics
