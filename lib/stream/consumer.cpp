#include "stream/consumer.h"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli/error.h"
#include "cli/signals.h"
#include "store/groups.h"
#include "store/records.h"
#include "store/streams.h"

namespace millrace::stream {
namespace {

// A poll stops when its output reaches this size: the read transaction stays short, and the
// output is written (and checkpointed) in pieces large enough that write(2) and the checkpoint
// commit cost little per record.
constexpr std::size_t kPollBytes = 1 << 20;
// A follower wakes at least this often to notice a stop signal that came just before its wait.
constexpr std::int64_t kLongestWaitMs = 1000;
// A reader drops the store's pages from its resident set after delivering this much, so its
// memory does not grow with the stream (the pages stay in the page cache).
constexpr std::uint64_t kReleaseBytes = 16 << 20;
// How often a follower frees the reader slots of dead processes.
constexpr std::int64_t kReaderCheckMs = 10'000;

std::string where(const Source& source) { return source.stream; }

class Poller {
 public:
  Poller(store::Env& env, const ConsumeOptions& options, lines::Writer& out)
      : env_(env), options_(options), out_(out), lambda_(options.source) {}

  // Sets each followed shard's next counter from the group's checkpoint or the start position.
  std::uint32_t start(const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream.id);
    std::vector<std::uint32_t> wanted = options_.shards;
    const StartPosition& from = options_.from;
    bool by_sequence = from.kind == StartPosition::Kind::at_sequence || from.kind == StartPosition::Kind::after_sequence;
    if (by_sequence && wanted.empty()) wanted.push_back(from.sequence.shard);  // a sequence number names its shard
    for (std::uint32_t index : wanted)
      if (index >= shards.size() || shards[index].index != index)
        throw cli::Error(cli::Exit::no_input, where(options_.source), "no such shard " + store::shard_id(index));
    follow_all_ = wanted.empty();

    std::map<std::uint32_t, store::Checkpoint> checkpoints;
    if (options_.source.group) checkpoints = store::load_checkpoints(txn, stream.id, *options_.source.group);
    for (const store::ShardMeta& shard : shards) {
      if (!follow_all_ && std::find(wanted.begin(), wanted.end(), shard.index) == wanted.end()) continue;
      std::uint64_t next = shard.first_counter;
      if (auto it = checkpoints.find(shard.index); it != checkpoints.end() && it->second.counter > 0) {
        next = it->second.counter + 1;
      } else {
        switch (from.kind) {
          case StartPosition::Kind::trim_horizon: next = shard.first_counter; break;
          case StartPosition::Kind::latest: next = shard.next_counter; break;
          case StartPosition::Kind::at_sequence:
          case StartPosition::Kind::after_sequence:
            if (shard.index != from.sequence.shard)
              throw cli::Error(cli::Exit::usage, where(options_.source),
                               fmt::format("sequence number {} is not in {}", store::format_sequence(from.sequence),
                                           store::shard_id(shard.index)));
            next = from.sequence.counter + (from.kind == StartPosition::Kind::after_sequence ? 1 : 0);
            break;
          case StartPosition::Kind::at_timestamp:
            next = store::counter_at_time(txn, stream.id, shard, from.time);
            break;
        }
      }
      next_[shard.index] = next;
    }
    return stream.id;
  }

  // Formats what is new into the output buffer; returns the number of records.
  std::uint64_t poll(const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream.id);
    cursors_.clear();
    for (const store::ShardMeta& shard : shards) {
      if (follow_all_ && !next_.contains(shard.index)) next_[shard.index] = shard.first_counter;  // a new shard
      auto it = next_.find(shard.index);
      if (it == next_.end()) continue;
      it->second = std::max(it->second, shard.first_counter);  // records trimmed meanwhile are gone
      if (it->second >= shard.next_counter) continue;
      auto cursor = std::make_unique<store::ShardCursor>(txn, stream.id, shard.index);
      if (cursor->seek(it->second)) cursors_.push_back(std::move(cursor));
    }
    return options_.format == OutputFormat::lambda ? poll_batches() : poll_merged();
  }

  // Checkpoints what the last polls delivered (after it was flushed).
  void checkpoint(std::uint32_t stream_id) {
    if (!options_.source.group || delivered_.empty()) return;
    lines::EpochMs now = lines::now_ms();
    env_.write([&](const store::Txn& txn) {
      auto current = store::load_checkpoints(txn, stream_id, *options_.source.group);
      for (auto [shard, next] : delivered_) {
        store::Checkpoint& checkpoint = current[shard];
        checkpoint.counter = next - 1;
        checkpoint.updated_ms = now;
        store::save_checkpoint(txn, stream_id, *options_.source.group, shard, checkpoint);
      }
    });
    delivered_.clear();
  }

  bool limit_reached() const { return options_.limit != 0 && total_ >= options_.limit; }
  std::uint64_t total() const { return total_; }

 private:
  bool budget_left() const { return out_.buffer().size() < kPollBytes && !limit_reached(); }

  void delivered(const store::Record& record) {
    next_[record.position.shard] = record.position.counter + 1;
    delivered_[record.position.shard] = record.position.counter + 1;
    ++total_;
  }

  // Every followed shard merged by arrival time (then shard index), until the budget is spent.
  std::uint64_t poll_merged() {
    std::uint64_t count = 0;
    struct Head {
      lines::EpochMs arrival;
      std::uint32_t shard;
      store::ShardCursor* cursor;
      bool operator>(const Head& o) const { return arrival != o.arrival ? arrival > o.arrival : shard > o.shard; }
    };
    std::vector<Head> heap;
    for (auto& cursor : cursors_) {
      const store::Record& r = cursor->record();
      heap.push_back({r.arrival_ms, r.position.shard, cursor.get()});
    }
    auto later = [](const Head& a, const Head& b) { return a > b; };
    std::make_heap(heap.begin(), heap.end(), later);
    std::string& out = out_.buffer();
    while (!heap.empty() && budget_left()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      Head& head = heap.back();
      store::Record record = head.cursor->record();
      if (options_.format == OutputFormat::envelope) {
        append_envelope(out, record, options_.source);
      } else {
        append_data(out, record);
      }
      delivered(record);
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
  std::uint64_t poll_batches() {
    std::uint64_t count = 0;
    std::string& out = out_.buffer();
    for (auto& cursor : cursors_) {
      bool more = true;
      while (more && budget_left()) {
        lambda_.begin(out);
        std::uint32_t in_batch = 0;
        while (more && in_batch < options_.batch_size && !limit_reached()) {
          store::Record record = cursor->record();
          lambda_.add(out, record, in_batch == 0);
          delivered(record);
          ++in_batch;
          more = cursor->next();
        }
        lambda_.end(out);
        count += in_batch;
      }
    }
    return count;
  }

  store::Env& env_;
  const ConsumeOptions& options_;
  lines::Writer& out_;
  LambdaEvent lambda_;
  bool follow_all_ = true;
  std::map<std::uint32_t, std::uint64_t> next_;       // shard → next counter to read
  std::map<std::uint32_t, std::uint64_t> delivered_;  // shard → next counter, not yet checkpointed
  std::vector<std::unique_ptr<store::ShardCursor>> cursors_;
  std::uint64_t total_ = 0;
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
    auto position = store::parse_sequence(*seq);
    if (!position) return std::nullopt;
    p.kind = text.starts_with("at:") ? Kind::at_sequence : Kind::after_sequence;
    p.sequence = *position;
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
  Poller poller(env, options, out);
  store::ReadTxn reader(env);
  std::uint32_t stream_id = poller.start(reader.renew());
  reader.reset();
  lines::EpochMs last_news = lines::now_ms(), last_reader_check = last_news;
  std::uint64_t unreleased = 0;
  while (!cli::stop_requested()) {
    std::uint32_t epoch = notifier.epoch(stream_id);
    std::uint64_t count = poller.poll(reader.renew());
    reader.reset();
    if (count > 0) {
      unreleased += out.buffer().size();
      out.flush();
      if (unreleased >= kReleaseBytes) {
        env.release_pages();
        unreleased = 0;
      }
      poller.checkpoint(stream_id);
      if (poller.limit_reached()) break;
      last_news = lines::now_ms();
      continue;
    }
    if (!options.follow) break;
    lines::EpochMs now = lines::now_ms();
    std::int64_t wait_ms = kLongestWaitMs;
    if (options.idle_exit_ms) {
      std::int64_t left = last_news + *options.idle_exit_ms - now;
      if (left <= 0) break;
      wait_ms = std::min(wait_ms, left);
    }
    if (now - last_reader_check >= kReaderCheckMs) {
      env.check_readers();
      last_reader_check = now;
    }
    notifier.wait(stream_id, epoch, wait_ms);
  }
  out.flush();
  poller.checkpoint(stream_id);
  return poller.total();
}

}  // namespace millrace::stream
