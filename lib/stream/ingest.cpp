#include "stream/ingest.h"

#include <algorithm>
#include <exception>
#include <future>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/diagnostics.h"
#include "cli/error.h"
#include "metrics/kinesis.h"
#include "metrics/recorder.h"
#include "store/group_commit.h"
#include "store/records.h"
#include "store/sequence.h"

namespace millrace::stream {
namespace {

// --print's line: {"shard":"shardId-000000000000","seq":"..."}.
template <class AppendShard, class AppendSequence>
void append_print_line(lines::Writer& print, AppendShard append_shard, AppendSequence append_sequence) {
  std::string& out = print.buffer();
  out.append("{\"shard\":\"");
  append_shard(out);
  out.append("\",\"seq\":\"");
  append_sequence(out);
  out.append("\"}\n");
  print.maybe_flush();
}

}  // namespace

IngestStats ingest(store::Env& env, store::Notifier& notifier, const std::string& stream, lines::Reader& reader,
                   PutParser& parser, OnError on_error, lines::Writer* print) {
  store::Producer producer(env, notifier, stream);
  metrics::Recorder recorder;  // the commit thread's
  metrics::StreamPuts recorded(recorder, stream);
  IngestStats stats;
  std::vector<store::Put> puts;
  std::vector<store::Position> placed;
  store::GroupCommit<Batch> committer([&](std::vector<Batch>& taken) {
    puts.clear();
    for (const Batch& batch : taken) batch.append_puts(puts);
    recorded.append(producer, puts, placed);
    stats.records += puts.size();  // read by this thread only after finish()
    if (print == nullptr) return;
    for (store::Position position : placed)
      append_print_line(
          *print, [&](std::string& out) { store::append_shard_id(out, position.shard); },
          [&](std::string& out) { store::append_sequence(out, position); });
    print->flush();
  });
  stats.skipped = store::commit_lines(committer, reader, on_error, parser);
  return stats;
}

void put_all(aws::KinesisClient& kinesis, const std::string& stream, std::span<const aws::PutEntry> records,
             std::vector<aws::PutResult>& results) {
  results.assign(records.size(), {});
  std::vector<std::size_t> pending(records.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::vector<aws::PutEntry> entries;
  std::vector<aws::PutResult> answered;
  aws::RetryPolicy& retry = kinesis.json().retry();
  for (int attempt = 1;; ++attempt) {
    entries.clear();
    for (std::size_t i : pending) entries.push_back(records[i]);
    kinesis.put_records(stream, entries, answered);
    std::vector<std::size_t> failed;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (answered[k].ok())
        results[pending[k]] = std::move(answered[k]);
      else
        failed.push_back(pending[k]);
    }
    if (failed.empty()) return;
    const aws::PutResult& last = answered[std::distance(
        pending.begin(), std::find(pending.begin(), pending.end(), failed.front()))];
    std::string why = last.error_code + (last.error_message.empty() ? "" : ": " + last.error_message);
    if (attempt >= retry.max_attempts())
      throw cli::Error(cli::Exit::temp_fail, kinesis.json().endpoint().url,
                       fmt::format("PutRecords: {} of {} records still failing after {} attempts (last: {}); "
                                   "the records before them are in {}; try again later",
                                   failed.size(), records.size(), attempt, why, stream));
    auto wait = retry.backoff(attempt);
    cli::note(stream, "PutRecords: {} records failed ({}); sending them again in {} ms", failed.size(), why,
              wait.count());
    std::this_thread::sleep_for(wait);
    pending = std::move(failed);
  }
}

IngestStats ingest(const aws::StoreSpec& store, const std::string& stream, lines::Reader& reader, PutParser& parser,
                   OnError on_error, lines::Writer* print, const std::string& explicit_hash_key) {
  // One client (one connection) per lane; the lanes send at once.
  struct Lane {
    aws::KinesisClient client;
    std::vector<std::size_t> records;  // indices into `puts`, in input order
    std::vector<aws::PutEntry> entries;
    std::vector<aws::PutResult> results;
    explicit Lane(const aws::StoreSpec& spec) : client(spec) {}
  };
  // A lane per open shard, up to kMaxPutLanes: a shard's records all go by one lane, so each
  // shard gets them in input order, as locally.
  std::vector<store::HashRange> shards;
  {
    aws::KinesisClient lister(store);
    for (const aws::ShardInfo& shard : lister.list_shards(stream))
      if (!shard.closed) shards.push_back(shard.hash_range);
  }
  std::sort(shards.begin(), shards.end(), [](const store::HashRange& a, const store::HashRange& b) { return a.start < b.start; });
  std::vector<std::unique_ptr<Lane>> lanes;
  for (std::size_t i = 0; i < std::clamp<std::size_t>(shards.size(), 1, kMaxPutLanes); ++i)
    lanes.push_back(std::make_unique<Lane>(store));
  // The lane of a hash key: its shard's (MD5 routing, store/hash_key.h), by binary search.
  auto lane_of = [&](store::HashKey hash) -> Lane& {
    auto after = std::upper_bound(shards.begin(), shards.end(), hash,
                                  [](store::HashKey key, const store::HashRange& range) { return key < range.start; });
    std::size_t shard = after == shards.begin() ? 0 : static_cast<std::size_t>(after - shards.begin() - 1);
    return *lanes[shard % lanes.size()];
  };
  IngestStats stats;
  std::vector<store::Put> puts;
  std::vector<aws::PutResult> results;

  // Sends lane's records in requests of at most kPutRecordsCount records and kPutRecordsBytes.
  auto send = [&](Lane& lane) {
    for (std::size_t begin = 0; begin < lane.records.size();) {
      lane.entries.clear();
      std::size_t bytes = 0;
      for (std::size_t k = begin; k < lane.records.size() && lane.entries.size() < kPutRecordsCount; ++k) {
        const store::Put& put = puts[lane.records[k]];
        std::size_t size = put.data.size() + put.partition_key.size();
        if (!lane.entries.empty() && bytes + size > kPutRecordsBytes) break;
        bytes += size;
        lane.entries.push_back({put.partition_key, put.data, explicit_hash_key});
      }
      put_all(lane.client, stream, lane.entries, lane.results);
      for (std::size_t k = 0; k < lane.entries.size(); ++k) results[lane.records[begin + k]] = std::move(lane.results[k]);
      begin += lane.entries.size();
    }
  };
  store::GroupCommit<Batch> committer([&](std::vector<Batch>& taken) {
    puts.clear();
    for (const Batch& batch : taken) batch.append_puts(puts);
    results.assign(puts.size(), {});
    for (auto& lane : lanes) lane->records.clear();
    for (std::size_t i = 0; i < puts.size(); ++i) lane_of(puts[i].hash).records.push_back(i);
    std::vector<std::future<void>> sending;
    for (auto& lane : lanes)
      if (!lane->records.empty()) sending.push_back(std::async(std::launch::async, send, std::ref(*lane)));
    std::exception_ptr failure;
    for (auto& lane : sending) {
      try {
        lane.get();
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    stats.records += puts.size();  // read by this thread only after finish()
    if (print == nullptr) return;
    for (const aws::PutResult& result : results)
      append_print_line(
          *print, [&](std::string& out) { out.append(result.shard_id); },
          [&](std::string& out) { out.append(result.sequence); });
    print->flush();
  });
  stats.skipped = store::commit_lines(committer, reader, on_error, parser);
  return stats;
}

}  // namespace millrace::stream
