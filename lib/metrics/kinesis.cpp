#include "metrics/kinesis.h"

#include "store/sequence.h"

namespace millrace::metrics {
namespace {

Recorder::Series stream_series(Recorder& recorder, std::string_view name, const std::string& stream, Unit unit) {
  return recorder.series(kKinesis, name, {{"StreamName", stream}}, unit);
}

// gw-serve's request metrics, by their place in PutRequests' vectors.
struct RequestMetric {
  std::string_view name;
  Unit unit;
};
constexpr RequestMetric kRequestMetrics[] = {
    {"PutRecord.Bytes", Unit::bytes},          {"PutRecord.Success", Unit::count},
    {"PutRecord.Latency", Unit::milliseconds}, {"PutRecords.Bytes", Unit::bytes},
    {"PutRecords.Records", Unit::count},       {"PutRecords.TotalRecords", Unit::count},
    {"PutRecords.SuccessfulRecords", Unit::count}, {"PutRecords.ThrottledRecords", Unit::count},
    {"PutRecords.Success", Unit::count},       {"PutRecords.Latency", Unit::milliseconds}};
enum RequestIndex : std::size_t {
  kPutRecordBytes,
  kPutRecordSuccess,
  kPutRecordLatency,
  kPutRecordsBytes,
  kPutRecordsRecords,
  kPutRecordsTotal,
  kPutRecordsSuccessful,
  kPutRecordsThrottled,
  kPutRecordsSuccess,
  kPutRecordsLatency
};

}  // namespace

StreamPuts::StreamPuts(Recorder& recorder, std::string stream)
    : recorder_(recorder),
      stream_(std::move(stream)),
      records_(stream_series(recorder, "IncomingRecords", stream_, Unit::count)),
      bytes_(stream_series(recorder, "IncomingBytes", stream_, Unit::bytes)) {}

void StreamPuts::add(std::span<const store::Put> records, std::span<const store::Position> placed, lines::EpochMs at) {
  if (records.empty()) return;
  std::uint64_t data = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::uint32_t index = placed[i].shard;
    if (index >= shards_.size()) shards_.resize(index + 1);
    Shard& shard = shards_[index];
    if (shard.count == 0) wrote_.push_back(index);
    ++shard.count;
    shard.data += records[i].data.size();
    data += records[i].data.size();
  }
  recorder_.add(records_, static_cast<double>(records.size()), at);
  recorder_.add(bytes_, static_cast<double>(data), at);
  for (std::uint32_t index : wrote_) {
    Shard& shard = shards_[index];
    if (!shard.known) {
      MetricId id(std::string(kKinesis), "IncomingRecords", {{"StreamName", stream_}, {"ShardId", store::shard_id(index)}});
      shard.records = recorder_.series(id, Unit::count);
      id.name = "IncomingBytes";
      shard.bytes = recorder_.series(id, Unit::bytes);
      shard.known = true;
    }
    recorder_.add(shard.records, static_cast<double>(shard.count), at);
    recorder_.add(shard.bytes, static_cast<double>(shard.data), at);
    shard.count = shard.data = 0;
  }
  wrote_.clear();
}

void StreamPuts::append(store::Producer& producer, std::span<const store::Put> records,
                        std::vector<store::Position>& placed, const std::function<void(lines::EpochMs)>& more) {
  store::Producer::Hook hook = [&](const store::Txn& txn, std::span<const store::Position> where, lines::EpochMs arrival) {
    recorder_.begin();
    add(records, where, arrival);
    if (more) more(arrival);
    recorder_.flush(txn, arrival);
  };
  try {
    producer.append(records, placed, &hook);
  } catch (...) {
    recorder_.rollback();
    throw;
  }
  recorder_.committed();
}

GetRecords::GetRecords(Recorder& recorder, const std::string& stream)
    : recorder_(recorder),
      records_(stream_series(recorder, "GetRecords.Records", stream, Unit::count)),
      bytes_(stream_series(recorder, "GetRecords.Bytes", stream, Unit::bytes)),
      age_(stream_series(recorder, "GetRecords.IteratorAgeMilliseconds", stream, Unit::milliseconds)) {}

void GetRecords::add(std::uint64_t records, std::uint64_t bytes, lines::EpochMs last_arrival, lines::EpochMs now) {
  recorder_.add(records_, static_cast<double>(records), now);
  recorder_.add(bytes_, static_cast<double>(bytes), now);
  recorder_.add(age_, static_cast<double>(std::max<lines::EpochMs>(0, now - last_arrival)), now);
}

std::vector<Recorder::Series>& PutRequests::of(std::string_view stream) {
  auto it = streams_.find(stream);
  if (it != streams_.end()) return it->second;
  std::vector<Recorder::Series> series;
  for (const RequestMetric& metric : kRequestMetrics)
    series.push_back(stream_series(recorder_, metric.name, std::string(stream), metric.unit));
  return streams_.emplace(std::string(stream), std::move(series)).first->second;
}

void PutRequests::put_record(std::string_view stream, std::uint64_t bytes, lines::EpochMs received, lines::EpochMs now) {
  std::vector<Recorder::Series>& series = of(stream);
  recorder_.add(series[kPutRecordBytes], static_cast<double>(bytes), now);
  recorder_.add(series[kPutRecordSuccess], 1, now);
  recorder_.add(series[kPutRecordLatency], static_cast<double>(std::max<lines::EpochMs>(0, now - received)), now);
}

void PutRequests::put_records(std::string_view stream, std::uint64_t total, std::uint64_t throttled, std::uint64_t bytes,
                              lines::EpochMs received, lines::EpochMs now) {
  std::vector<Recorder::Series>& series = of(stream);
  auto successful = static_cast<double>(total - throttled);
  recorder_.add(series[kPutRecordsBytes], static_cast<double>(bytes), now);
  recorder_.add(series[kPutRecordsRecords], successful, now);
  recorder_.add(series[kPutRecordsTotal], static_cast<double>(total), now);
  recorder_.add(series[kPutRecordsSuccessful], successful, now);
  recorder_.add(series[kPutRecordsThrottled], static_cast<double>(throttled), now);
  recorder_.add(series[kPutRecordsSuccess], 1, now);
  recorder_.add(series[kPutRecordsLatency], static_cast<double>(std::max<lines::EpochMs>(0, now - received)), now);
}

}  // namespace millrace::metrics
