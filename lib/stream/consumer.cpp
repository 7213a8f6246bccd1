#include "stream/consumer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "cli/error.h"
#include "cli/signals.h"
#include "store/groups.h"
#include "store/records.h"
#include "store/streams.h"
#include "stream/leases.h"

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

class Poller {
 public:
  Poller(store::Env& env, const ConsumeOptions& options, lines::Writer& out)
      : env_(env), options_(options), out_(out), lambda_(options.source) {}

  // Resolves the start position of each shard that exists now; returns the stream id.
  std::uint32_t start(const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
    stream_id_ = stream.id;
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream.id);
    const StartPosition& from = options_.from;
    bool by_sequence = from.kind == StartPosition::Kind::at_sequence || from.kind == StartPosition::Kind::after_sequence;
    wanted_ = options_.shards;
    if (by_sequence && wanted_.empty()) wanted_.push_back(from.sequence.shard);  // a sequence number names its shard
    for (std::uint32_t index : wanted_)
      if (store::find_shard(shards, index) == nullptr)
        throw cli::Error(cli::Exit::no_input, options_.source.stream, "no such shard " + store::shard_id(index));
    for (const store::ShardMeta& shard : shards) {
      std::uint64_t position = shard.first_counter;
      switch (from.kind) {
        case StartPosition::Kind::trim_horizon: break;
        case StartPosition::Kind::latest: position = shard.next_counter; break;
        case StartPosition::Kind::at_sequence:
        case StartPosition::Kind::after_sequence:
          if (shard.index != from.sequence.shard) {
            if (std::find(wanted_.begin(), wanted_.end(), shard.index) != wanted_.end())
              throw cli::Error(cli::Exit::usage, options_.source.stream,
                               fmt::format("sequence number {} is not in {}", store::format_sequence(from.sequence),
                                           store::shard_id(shard.index)));
            break;
          }
          position = from.sequence.counter + (from.kind == StartPosition::Kind::after_sequence ? 1 : 0);
          break;
        case StartPosition::Kind::at_timestamp:
          position = store::counter_at_time(txn, stream.id, shard, from.time);
          break;
      }
      start_[shard.index] = position;
    }
    return stream.id;
  }

  // The shards this reader (or its group) may read now: unfinished, their ancestors finished.
  std::vector<std::uint32_t> readable(const store::Txn& txn) {
    load(txn);
    std::vector<std::uint32_t> found;
    for (const store::ShardMeta& shard : shards_)
      if (is_readable(shard)) found.push_back(shard.index);
    return found;
  }

  // Follows the leases: a shard newly held is read from the group's checkpoint; a shard lost is
  // dropped, with what was delivered of it but not checkpointed.
  void hold(const std::set<std::uint32_t>& held) {
    for (auto it = next_.begin(); it != next_.end();)
      it = held.contains(it->first) ? std::next(it) : next_.erase(it);
    for (auto it = delivered_.begin(); it != delivered_.end();)
      it = held.contains(it->first) ? std::next(it) : delivered_.erase(it);
    for (std::uint32_t shard : held)
      if (!held_.contains(shard)) next_.erase(shard);
    held_ = held;
    leased_ = true;
  }

  // Formats what is new into the output buffer; returns the number of records.
  std::uint64_t poll(const store::Txn& txn) {
    load(txn);
    std::uint64_t count = 0;
    std::set<std::uint32_t> started;
    // A shard becomes readable when its parents finish, possibly within this poll: look again
    // until nothing new is readable or the budget is spent.
    for (;;) {
      std::vector<std::unique_ptr<store::ShardCursor>> cursors;
      for (const store::ShardMeta& shard : shards_) {
        if (started.contains(shard.index) || !is_readable(shard) || !holds(shard.index)) continue;
        started.insert(shard.index);
        std::uint64_t position = this->position(shard);
        auto cursor = std::make_unique<store::ShardCursor>(txn, stream_id_, shard.index);
        if (position < shard.next_counter && cursor->seek(position)) cursors.push_back(std::move(cursor));
      }
      if (cursors.empty()) return count;
      count += options_.format == OutputFormat::lambda ? read_batches(cursors) : read_merged(cursors);
      if (!budget_left()) return count;
    }
  }

  // Checkpoints what the last polls delivered (after it was flushed), for the shards this member
  // still holds.
  void checkpoint() {
    if (!options_.source.group || delivered_.empty()) return;
    lines::EpochMs now = lines::now_ms();
    const std::string& group = *options_.source.group;
    env_.write([&](const store::Txn& txn) {
      auto current = store::load_checkpoints(txn, stream_id_, group);
      for (auto [shard, next] : delivered_) {
        store::Checkpoint& checkpoint = current[shard];
        if (leased_ && checkpoint.owner != owner_) continue;  // the lease moved: the new owner repeats
        checkpoint.counter = next - 1;
        checkpoint.updated_ms = now;
        store::save_checkpoint(txn, stream_id_, group, shard, checkpoint);
      }
    });
    delivered_.clear();
  }

  void set_owner(std::string owner) { owner_ = std::move(owner); }
  bool limit_reached() const { return options_.limit != 0 && total_ >= options_.limit; }
  std::uint64_t total() const { return total_; }
  std::uint32_t stream_id() const { return stream_id_; }

 private:
  void load(const store::Txn& txn) {
    store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
    if (stream.id != stream_id_)
      throw cli::Error(cli::Exit::no_input, options_.source.stream, "the stream was deleted while being read");
    shards_ = store::load_shards(txn, stream_id_);
    if (options_.source.group) checkpoints_ = store::load_checkpoints(txn, stream_id_, *options_.source.group);
  }

  // Where this reader goes on in `shard`: where it stopped, else the group's checkpoint, else
  // the start position (for shards that existed at the start; later ones from their beginning).
  std::uint64_t position(const store::ShardMeta& shard) const {
    std::uint64_t position = shard.first_counter;
    if (auto it = next_.find(shard.index); it != next_.end()) {
      position = it->second;
    } else if (auto c = checkpoints_.find(shard.index); c != checkpoints_.end() && c->second.counter > 0) {
      position = c->second.counter + 1;
    } else if (auto s = start_.find(shard.index); s != start_.end()) {
      position = s->second;
    }
    return std::max(position, shard.first_counter);  // records trimmed meanwhile are gone
  }

  bool finished(const store::ShardMeta& shard) const {
    return !shard.open && position(shard) >= shard.next_counter;
  }

  bool is_readable(const store::ShardMeta& shard) const {
    if (!wanted_.empty()) return std::find(wanted_.begin(), wanted_.end(), shard.index) != wanted_.end();
    if (finished(shard)) return false;
    for (std::uint32_t ancestor : store::ancestors(shards_, shard))
      if (!finished(*store::find_shard(shards_, ancestor))) return false;
    return true;
  }

  // Whether this reader may read the shard: always without a group; with one, while it holds
  // the lease, which the store (read in this poll's snapshot) says, so a lease taken by another
  // member stops this one at its next poll, not at its next renewal.
  bool holds(std::uint32_t shard) {
    if (!leased_) return true;
    auto it = checkpoints_.find(shard);
    if (held_.contains(shard) && it != checkpoints_.end() && it->second.owner == owner_) return true;
    held_.erase(shard);
    next_.erase(shard);
    delivered_.erase(shard);
    return false;
  }

  bool budget_left() const { return out_.buffer().size() < kPollBytes && !limit_reached(); }

  void delivered(const store::Record& record) {
    next_[record.position.shard] = record.position.counter + 1;
    delivered_[record.position.shard] = record.position.counter + 1;
    ++total_;
  }

  // The shards merged by arrival time (then shard index), until the budget is spent.
  std::uint64_t read_merged(std::vector<std::unique_ptr<store::ShardCursor>>& cursors) {
    struct Head {
      lines::EpochMs arrival;
      std::uint32_t shard;
      store::ShardCursor* cursor;
    };
    auto later = [](const Head& a, const Head& b) {
      return a.arrival != b.arrival ? a.arrival > b.arrival : a.shard > b.shard;
    };
    std::vector<Head> heap;
    for (auto& cursor : cursors) heap.push_back({cursor->record().arrival_ms, cursor->record().position.shard, cursor.get()});
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
  std::uint64_t read_batches(std::vector<std::unique_ptr<store::ShardCursor>>& cursors) {
    std::uint64_t count = 0;
    std::string& out = out_.buffer();
    for (auto& cursor : cursors) {
      bool more = true;
      while (more && budget_left()) {
        lambda_.begin(out);
        std::uint32_t in_batch = 0;
        while (more && in_batch < options_.batch_size && !limit_reached()) {
          lambda_.add(out, cursor->record(), in_batch == 0);
          delivered(cursor->record());
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
  std::uint32_t stream_id_ = 0;
  std::vector<std::uint32_t> wanted_;                 // --shard (or the shard of --from at:/after:)
  std::map<std::uint32_t, std::uint64_t> start_;      // shard → start position, for shards at the start
  std::map<std::uint32_t, std::uint64_t> next_;       // shard → next counter this reader reads
  std::map<std::uint32_t, std::uint64_t> delivered_;  // shard → next counter, not yet checkpointed
  std::vector<store::ShardMeta> shards_;              // the catalog, as of the last poll
  std::map<std::uint32_t, store::Checkpoint> checkpoints_;
  bool leased_ = false;
  std::set<std::uint32_t> held_;
  std::string owner_;
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
  std::optional<Leases> leases;
  if (options.source.group) {
    leases.emplace(env, stream_id, *options.source.group, options.lease_timeout_ms);
    poller.set_owner(leases->owner());
  }
  lines::EpochMs last_news = lines::now_ms(), last_reader_check = last_news;
  std::uint64_t unreleased = 0;
  while (!cli::stop_requested()) {
    std::uint32_t epoch = notifier.epoch(stream_id);
    store::Txn txn = reader.renew();
    if (leases) {
      std::vector<std::uint32_t> eligible = poller.readable(txn);
      if (leases->due(lines::now_ms(), eligible)) {
        reader.reset();
        poller.hold(leases->renew(eligible));
        txn = reader.renew();
      }
    }
    std::uint64_t count = poller.poll(txn);
    reader.reset();
    if (count > 0) {
      unreleased += out.buffer().size();
      out.flush();
      poller.checkpoint();
      if (unreleased >= kReleaseBytes) {
        env.release_pages();
        unreleased = 0;
      }
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
    if (leases) wait_ms = std::clamp<std::int64_t>(leases->next_due() - now, 0, wait_ms);
    if (now - last_reader_check >= kReaderCheckMs) {
      env.check_readers();
      last_reader_check = now;
    }
    notifier.wait(stream_id, epoch, wait_ms);
  }
  out.flush();
  poller.checkpoint();
  if (leases) leases->release();
  return poller.total();
}

}  // namespace millrace::stream
