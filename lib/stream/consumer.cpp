#include "stream/consumer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "cli/error.h"
#include "cli/signals.h"
#include "metrics/kinesis.h"
#include "store/groups.h"
#include "store/records.h"
#include "store/streams.h"
#include "stream/stream_reader.h"

namespace millrace::stream {
namespace {

// A poll stops when its output reaches this size: the read transaction stays short, and the
// output is written (and checkpointed) in pieces large enough that write(2) and the checkpoint
// commit cost little per record.
constexpr std::size_t kPollBytes = 1 << 20;
// A reader drops the store's pages from its resident set after delivering this much, so its
// memory does not grow with the stream (the pages stay in the page cache).
constexpr std::uint64_t kReleaseBytes = 16 << 20;
// How often a follower frees the reader slots of dead processes.
constexpr std::int64_t kReaderCheckMs = 10'000;

// Formats what is new for stdout, a poll at a time.
class Poller {
 public:
  Poller(StreamReader& reader, const ConsumeOptions& options, lines::Writer& out)
      : reader_(reader), options_(options), out_(out), lambda_(options.source) {}

  // What a poll read of one shard: a GetRecords call (metrics/kinesis.h).
  struct ShardRead {
    std::uint64_t records = 0, bytes = 0;
    lines::EpochMs last_arrival = 0;
  };

  // Formats what is new into the output buffer; returns the number of records.
  std::uint64_t poll(const store::Txn& txn) {
    std::uint64_t count = 0;
    std::set<std::uint32_t> started;
    reads_.clear();
    // A shard becomes readable when its parents finish, possibly within this poll: look again
    // until nothing new is readable or the budget is spent.
    for (;;) {
      std::vector<std::unique_ptr<store::ShardCursor>> cursors;
      for (const store::ShardMeta& shard : reader_.shards()) {
        if (started.contains(shard.index) || !reader_.may_read(shard)) continue;
        started.insert(shard.index);
        std::uint64_t position = reader_.position(shard);
        auto cursor = std::make_unique<store::ShardCursor>(txn, stream_id_, shard.index);
        if (position < shard.next_counter && cursor->seek(position)) cursors.push_back(std::move(cursor));
      }
      if (cursors.empty()) return count;
      std::size_t first_read = reads_.size();
      reads_.resize(first_read + cursors.size());
      count += options_.format == OutputFormat::lambda ? read_batches(cursors, first_read) : read_merged(cursors, first_read);
      if (!budget_left()) return count;
    }
  }

  // The shards the last poll read.
  const std::vector<ShardRead>& reads() const { return reads_; }

  void set_stream_id(std::uint32_t id) { stream_id_ = id; }
  bool limit_reached() const { return options_.limit != 0 && total_ >= options_.limit; }
  std::uint64_t total() const { return total_; }

 private:
  bool budget_left() const { return out_.buffer().size() < kPollBytes && !limit_reached(); }

  void delivered(const store::Record& record, ShardRead& read) {
    reader_.delivered(record.position.shard, record.position.counter + 1);
    ++total_;
    ++read.records;
    read.bytes += record.data.size();
    read.last_arrival = record.arrival_ms;
  }

  // The shards merged by arrival time (then shard index), until the budget is spent.
  std::uint64_t read_merged(std::vector<std::unique_ptr<store::ShardCursor>>& cursors, std::size_t first_read) {
    struct Head {
      lines::EpochMs arrival;
      std::uint32_t shard;
      store::ShardCursor* cursor;
      ShardRead* read;
    };
    auto later = [](const Head& a, const Head& b) {
      return a.arrival != b.arrival ? a.arrival > b.arrival : a.shard > b.shard;
    };
    std::vector<Head> heap;
    for (std::size_t i = 0; i < cursors.size(); ++i)
      heap.push_back({cursors[i]->record().arrival_ms, cursors[i]->record().position.shard, cursors[i].get(), &reads_[first_read + i]});
    std::make_heap(heap.begin(), heap.end(), later);
    std::string& out = out_.buffer();
    std::uint64_t count = 0;
    while (!heap.empty() && budget_left()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Head& head = heap.back();
      const store::Record& record = head.cursor->record();
      if (options_.format == OutputFormat::envelope) {
        append_envelope(out, record, options_.source);
      } else {
        append_data(out, record);
      }
      delivered(record, *head.read);
      ++count;
      if (head.cursor->next()) {
        head.arrival = head.cursor->record().arrival_ms;
        std::push_heap(heap.begin(), heap.end(), later);
      } else {
        heap.pop_back();
      }
    }
    return count;
  }

  // Lambda events: batches of one shard each, up to batch_size records.
  std::uint64_t read_batches(std::vector<std::unique_ptr<store::ShardCursor>>& cursors, std::size_t first_read) {
    std::uint64_t count = 0;
    std::string& out = out_.buffer();
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      auto& cursor = cursors[i];
      bool more = true;
      while (more && budget_left()) {
        lambda_.begin(out);
        std::uint32_t in_batch = 0;
        while (more && in_batch < options_.batch_size && !limit_reached()) {
          lambda_.add(out, cursor->record(), in_batch == 0);
          delivered(cursor->record(), reads_[first_read + i]);
          ++in_batch;
          more = cursor->next();
        }
        lambda_.end(out);
        count += in_batch;
      }
    }
    return count;
  }

  StreamReader& reader_;
  const ConsumeOptions& options_;
  lines::Writer& out_;
  LambdaEvent lambda_;
  std::uint32_t stream_id_ = 0;
  std::uint64_t total_ = 0;
  std::vector<ShardRead> reads_;  // of the last poll, one per shard read
};

}  // namespace

std::optional<StartPosition> StartPosition::parse(std::string_view text) {
  StartPosition p;
  if (text == "trim-horizon") return p;
  if (text == "latest") {
    p.kind = Kind::latest;
    return p;
  }
  auto after_colon = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!text.starts_with(prefix)) return std::nullopt;
    return text.substr(prefix.size());
  };
  if (auto seq = after_colon("at:"); seq || (seq = after_colon("after:"))) {
    // Kinesis' SequenceNumber pattern: 0|([1-9]\d{0,128}).
    bool digits = !seq->empty() && seq->size() <= 129 && (*seq == "0" || seq->front() != '0') &&
                  std::all_of(seq->begin(), seq->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return std::nullopt;
    p.kind = text.starts_with("at:") ? Kind::at_sequence : Kind::after_sequence;
    p.sequence_text = *seq;
    if (auto position = store::parse_sequence(*seq)) {
      p.sequence = *position;
      p.store_sequence = true;
    }
    return p;
  }
  if (auto time = after_colon("time:")) {
    auto ms = lines::parse_iso8601(*time);
    if (!ms) return std::nullopt;
    p.kind = Kind::at_timestamp;
    p.time = *ms;
    return p;
  }
  return std::nullopt;
}

std::uint64_t consume(store::Env& env, store::Notifier& notifier, const ConsumeOptions& options, lines::Writer& out) {
  StreamReader positions(env, options);
  Poller poller(positions, options, out);
  store::ReadTxn reader(env);
  std::uint32_t stream_id = positions.start(reader.renew());
  poller.set_stream_id(stream_id);
  reader.reset();
  std::optional<metrics::GetRecords> get_records;
  if (metrics::Recorder* recorder = positions.recorder()) get_records.emplace(*recorder, options.source.stream);
  lines::EpochMs last_news = lines::now_ms(), last_reader_check = last_news;
  std::uint64_t unreleased = 0, written = 0;
  while (!cli::stop_requested()) {
    std::uint32_t epoch = notifier.epoch(stream_id);
    std::uint64_t count = poller.poll(positions.begin_poll(reader));
    reader.reset();
    if (count > 0) {
      unreleased += out.buffer().size();
      written += out.buffer().size();
      out.flush();
      if (options.progress) options.progress(poller.total(), written, false);
      if (get_records) {
        lines::EpochMs now = lines::now_ms();
        for (const Poller::ShardRead& read : poller.reads())
          if (read.records > 0) get_records->add(read.records, read.bytes, read.last_arrival, now);
      }
      positions.checkpoint();
      if (unreleased >= kReleaseBytes) {
        env.release_pages();
        unreleased = 0;
      }
      if (poller.limit_reached()) break;
      last_news = lines::now_ms();
      continue;
    }
    if (options.progress) options.progress(poller.total(), written, true);
    if (!options.follow) break;
    lines::EpochMs now = lines::now_ms();
    std::int64_t wait_ms = store::kLongestFollowerWaitMs;
    if (options.idle_exit_ms) {
      std::int64_t left = last_news + *options.idle_exit_ms - now;
      if (left <= 0) break;
      wait_ms = std::min(wait_ms, left);
    }
    if (auto due = positions.leases_due_in(now)) wait_ms = std::min(wait_ms, *due);
    if (now - last_reader_check >= kReaderCheckMs) {
      env.check_readers();
      last_reader_check = now;
    }
    notifier.wait(stream_id, epoch, wait_ms);
  }
  out.flush();
  positions.checkpoint();
  return poller.total();
}

}  // namespace millrace::stream
