#include "metrics/firehose.h"

#include <algorithm>

namespace millrace::metrics {
namespace {

Recorder::Series delivery_series(Recorder& recorder, std::string_view name, const std::string& stream, Unit unit) {
  return recorder.series(kFirehose, name, {{"DeliveryStreamName", stream}}, unit);
}

}  // namespace

std::string delivery_stream_name(const std::filesystem::path& bucket, std::string_view group) {
  std::string name = bucket.filename().string();
  if (name.empty()) name = bucket.parent_path().filename().string();  // "dir/"
  return name.append("/").append(group);
}

DeliveryMetrics::DeliveryMetrics(Recorder& recorder, const std::string& stream)
    : recorder_(recorder),
      incoming_records_(delivery_series(recorder, "IncomingRecords", stream, Unit::count)),
      incoming_bytes_(delivery_series(recorder, "IncomingBytes", stream, Unit::bytes)),
      records_(delivery_series(recorder, "DeliveryToS3.Records", stream, Unit::count)),
      bytes_(delivery_series(recorder, "DeliveryToS3.Bytes", stream, Unit::bytes)),
      freshness_(delivery_series(recorder, "DeliveryToS3.DataFreshness", stream, Unit::seconds)),
      success_(delivery_series(recorder, "DeliveryToS3.Success", stream, Unit::count)) {}

void DeliveryMetrics::incoming(std::uint64_t records, std::uint64_t bytes, lines::EpochMs at) {
  recorder_.add(incoming_records_, static_cast<double>(records), at);
  recorder_.add(incoming_bytes_, static_cast<double>(bytes), at);
}

void DeliveryMetrics::delivered(std::uint64_t records, std::uint64_t bytes, lines::EpochMs oldest_taken, lines::EpochMs at) {
  recorder_.add(records_, static_cast<double>(records), at);
  recorder_.add(bytes_, static_cast<double>(bytes), at);
  recorder_.add(freshness_, static_cast<double>(std::max<lines::EpochMs>(0, at - oldest_taken)) / 1000, at);
  recorder_.add(success_, 1, at);
}

}  // namespace millrace::metrics
