#include "stream/ingest.h"

#include <algorithm>
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

namespace {

// Puts `records` by PutRecords, retrying the failed entries alone until every one is in;
// results[i] is records[i]'s.
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

}  // namespace

IngestStats ingest(aws::KinesisClient& kinesis, const std::string& stream, lines::Reader& reader, PutParser& parser,
                   OnError on_error, lines::Writer* print, const std::string& explicit_hash_key) {
  IngestStats stats;
  std::vector<store::Put> puts;
  std::vector<aws::PutEntry> entries;
  std::vector<aws::PutResult> results;
  store::GroupCommit<Batch> committer([&](std::vector<Batch>& taken) {
    puts.clear();
    for (const Batch& batch : taken) batch.append_puts(puts);
    for (std::size_t begin = 0; begin < puts.size();) {
      entries.clear();
      std::size_t bytes = 0;
      for (std::size_t i = begin; i < puts.size() && entries.size() < kPutRecordsCount; ++i) {
        std::size_t size = puts[i].data.size() + puts[i].partition_key.size();
        if (!entries.empty() && bytes + size > kPutRecordsBytes) break;
        bytes += size;
        entries.push_back({puts[i].partition_key, puts[i].data, explicit_hash_key});
      }
      put_all(kinesis, stream, entries, results);
      begin += entries.size();
      stats.records += entries.size();  // read by this thread only after finish()
      if (print == nullptr) continue;
      for (const aws::PutResult& result : results)
        append_print_line(
            *print, [&](std::string& out) { out.append(result.shard_id); },
            [&](std::string& out) { out.append(result.sequence); });
      print->flush();
    }
  });
  stats.skipped = store::commit_lines(committer, reader, on_error, parser);
  return stats;
}

}  // namespace millrace::stream
