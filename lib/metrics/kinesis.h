// The metrics of Amazon Kinesis Data Streams (namespace AWS/Kinesis) that millrace records, by
// CloudWatch's names, units and dimensions. Bytes are the records' data, without partition keys.
//
//   IncomingRecords, IncomingBytes       StreamName; and StreamName, ShardId (the shard-level
//                                        metrics): every commit that appends to a stream
//                                        (ks-put, gw-serve, an --on-failure stream), one sample
//                                        per commit, as Kinesis takes one per put operation
//   GetRecords.Records, GetRecords.Bytes, StreamName: a consumer group's reads, one sample per
//   GetRecords.IteratorAgeMilliseconds   shard and poll (a GetRecords call), at the checkpoint
//                                        commit that follows; the age is that of the last record
//                                        read when it was read
//   PutRecord.Bytes, .Success, .Latency; StreamName: gw-serve's requests, one sample each, at
//   PutRecords.Bytes, .Records,          their commit; Latency runs from the request's decoding
//   .TotalRecords, .SuccessfulRecords,   to its commit's beginning (not its fsync)
//   .ThrottledRecords, .Success, .Latency
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "metrics/recorder.h"
#include "store/records.h"

namespace millrace::metrics {

inline constexpr std::string_view kKinesis = "AWS/Kinesis";

// What the writers of one stream record.
class StreamPuts {
 public:
  StreamPuts(Recorder& recorder, std::string stream);

  // Adds the samples of an append: records[i] went to placed[i], at `at`.
  void add(std::span<const store::Put> records, std::span<const store::Position> placed, lines::EpochMs at);
  // producer.append(records, placed) recording, in its commit, these samples and those that
  // `more` adds (given the append's arrival time). Throws what append throws.
  void append(store::Producer& producer, std::span<const store::Put> records, std::vector<store::Position>& placed,
              const std::function<void(lines::EpochMs)>& more = {});

  Recorder& recorder() { return recorder_; }

 private:
  struct Shard {
    Recorder::Series records = Recorder::kNotRecorded, bytes = Recorder::kNotRecorded;
    bool known = false;
    std::uint64_t count = 0, data = 0;  // of the append being added
  };
  Recorder& recorder_;
  std::string stream_;
  Recorder::Series records_, bytes_;
  std::vector<Shard> shards_;         // by shard index
  std::vector<std::uint32_t> wrote_;  // the shards of the append being added
};

// What a consumer group records of its reads of one stream.
class GetRecords {
 public:
  GetRecords(Recorder& recorder, const std::string& stream);
  // A read of one shard: `records` records of `bytes` bytes, the last of which arrived at
  // `last_arrival`, read at `now`.
  void add(std::uint64_t records, std::uint64_t bytes, lines::EpochMs last_arrival, lines::EpochMs now);

 private:
  Recorder& recorder_;
  Recorder::Series records_, bytes_, age_;
};

// What gw-serve records of its PutRecord and PutRecords requests, of any stream.
class PutRequests {
 public:
  explicit PutRequests(Recorder& recorder) : recorder_(recorder) {}
  // A PutRecord of `bytes` bytes of data, committed at `now`, decoded at `received`.
  void put_record(std::string_view stream, std::uint64_t bytes, lines::EpochMs received, lines::EpochMs now);
  // A PutRecords of `total` records, of which `throttled` were refused, and the others, of
  // `bytes` bytes of data, committed at `now`.
  void put_records(std::string_view stream, std::uint64_t total, std::uint64_t throttled, std::uint64_t bytes,
                   lines::EpochMs received, lines::EpochMs now);

 private:
  // The series of a stream's requests, in the order of kinesis.cpp's kRequestMetrics.
  std::vector<Recorder::Series>& of(std::string_view stream);
  Recorder& recorder_;
  std::map<std::string, std::vector<Recorder::Series>, std::less<>> streams_;
};

}  // namespace millrace::metrics
