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
  auto reason = [](const aws::PutResult& failed) {
    return failed.error_code + (failed.error_message.empty() ? "" : ": " + failed.error_message);
  };
  kinesis.put_records(stream, records, results);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < records.size(); ++i)
    if (!results[i].ok()) pending.push_back(i);
  if (pending.empty()) return;
  std::string why = reason(results[pending.front()]);
  std::vector<aws::PutEntry> entries;
  std::vector<aws::PutResult> answered;
  aws::RetryPolicy& retry = kinesis.json().retry();
  for (int attempt = 1; !pending.empty(); ++attempt) {
    if (attempt >= retry.max_attempts())
      throw cli::Error(cli::Exit::temp_fail, kinesis.json().endpoint().url,
                       fmt::format("PutRecords: {} of {} records still failing after {} attempts (last: {}); "
                                   "the records before them are in {}; try again later",
                                   pending.size(), records.size(), attempt, why, stream));
    auto wait = retry.backoff(attempt);
    cli::note(stream, "PutRecords: {} records failed ({}); sending them again in {} ms", pending.size(), why,
              wait.count());
    std::this_thread::sleep_for(wait);
    entries.clear();
    for (std::size_t i : pending) entries.push_back(records[i]);
    kinesis.put_records(stream, entries, answered);
    std::vector<std::size_t> failed;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (answered[k].ok()) {
        results[pending[k]] = std::move(answered[k]);
      } else {
        if (failed.empty()) why = reason(answered[k]);
        failed.push_back(pending[k]);
      }
    }
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
  // Lanes by hash key: the open shards' ranges, each cut into lanes_per_shard even parts, so that
  // every key has one lane and its records go in input order, while a shard takes several
  // requests at once.
  std::vector<store::HashRange> shards;
  {
    aws::KinesisClient lister(store);
    for (const aws::ShardInfo& shard : lister.list_shards(stream))
      if (!shard.closed) shards.push_back(shard.hash_range);
  }
  std::sort(shards.begin(), shards.end(), [](const store::HashRange& a, const store::HashRange& b) { return a.start < b.start; });
  const std::size_t lanes_per_shard = std::max<std::size_t>(1, kMaxPutLanes / std::max<std::size_t>(shards.size(), 1));
  std::vector<std::unique_ptr<Lane>> lanes;
  for (std::size_t i = 0; i < std::clamp<std::size_t>(shards.size() * lanes_per_shard, 1, kMaxPutLanes); ++i)
    lanes.push_back(std::make_unique<Lane>(store));
  // The lane of a hash key: its shard's (MD5 routing, store/hash_key.h), by binary search, then
  // the part of the shard's range it falls in.
  auto lane_of = [&](store::HashKey hash) -> Lane& {
    if (shards.empty()) return *lanes[0];
    auto after = std::upper_bound(shards.begin(), shards.end(), hash,
                                  [](store::HashKey key, const store::HashRange& range) { return key < range.start; });
    std::size_t shard = after == shards.begin() ? 0 : static_cast<std::size_t>(after - shards.begin() - 1);
    const store::HashRange& range = shards[shard];
    store::HashKey part_width = (range.end - range.start) / lanes_per_shard + 1;
    std::size_t part = range.contains(hash) ? static_cast<std::size_t>((hash - range.start) / part_width) : 0;
    return *lanes[(shard * lanes_per_shard + part) % lanes.size()];
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
      if (print != nullptr)
        for (std::size_t k = 0; k < lane.entries.size(); ++k) results[lane.records[begin + k]] = lane.results[k];
      begin += lane.entries.size();
    }
  };
  store::GroupCommit<Batch> committer([&](std::vector<Batch>& taken) {
    puts.clear();
    for (const Batch& batch : taken) batch.append_puts(puts);
    if (print != nullptr) results.resize(puts.size());
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
