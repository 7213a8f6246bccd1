// stream::consume from an endpoint (consumer.h).
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "cli/error.h"
#include "cli/signals.h"
#include "store/sequence.h"
#include "stream/consumer.h"
#include "stream/endpoint_group.h"

namespace millrace::stream {
namespace {

using Clock = std::chrono::steady_clock;
// The service allows kGetRecordsPerSecond calls a shard in any second: a shard behind takes
// them at once, one caught up polls evenly, once every interval.
constexpr auto kRateWindow = std::chrono::seconds(1);
constexpr auto kPollInterval = std::chrono::milliseconds(1000 / kGetRecordsPerSecond);
// GetRecords' largest Limit.
constexpr std::uint32_t kGetRecordsLimit = 10'000;

struct ShardState {
  aws::ShardInfo info;
  bool listed_at_start = false;
  std::string iterator;  // empty: not started
  std::string last_sequence;
  std::string checkpointed;  // with a group: the lease's checkpoint as last written
  bool ended = false;      // closed and read to its end
  bool caught_up = false;  // the last GetRecords found nothing new
  Clock::time_point next_poll{};
  // The times of the shard's last kGetRecordsPerSecond calls, the oldest at `oldest_call`.
  std::array<Clock::time_point, kGetRecordsPerSecond> calls{};
  std::size_t oldest_call = 0;
};

std::string_view iterator_type(StartPosition::Kind kind) {
  switch (kind) {
    case StartPosition::Kind::trim_horizon: return "TRIM_HORIZON";
    case StartPosition::Kind::latest: return "LATEST";
    case StartPosition::Kind::at_sequence: return "AT_SEQUENCE_NUMBER";
    case StartPosition::Kind::after_sequence: return "AFTER_SEQUENCE_NUMBER";
    case StartPosition::Kind::at_timestamp: return "AT_TIMESTAMP";
  }
  return "TRIM_HORIZON";
}

class EndpointConsumer {
 public:
  EndpointConsumer(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options, lines::Writer& out)
      : kinesis_(kinesis), group_(group), options_(options), out_(out), lambda_(options.source) {}

  std::uint64_t run() {
    start();
    Clock::time_point last_news = Clock::now();
    std::uint64_t written = 0;
    while (!cli::stop_requested()) {
      if (group_) group_->renew_if_due();
      bool ended_one = false;
      std::uint64_t before = delivered_;
      for (ShardState& shard : shards_) {
        if (shard.ended || !wanted(shard) || !readable(shard) || Clock::now() < shard.next_poll) continue;
        poll(shard);
        ended_one = ended_one || shard.ended;
        if (limit_reached()) break;
      }
      if (delivered_ > before) {
        written += out_.buffer().size();
        out_.flush();
        if (options_.progress) options_.progress(delivered_, written, false);
      }
      commit();
      if (delivered_ > before) {
        if (limit_reached()) break;
        last_news = Clock::now();
      }
      if (ended_one) {
        refresh();
        continue;
      }
      if (delivered_ > before) continue;
      bool all_caught_up = std::all_of(shards_.begin(), shards_.end(), [&](const ShardState& shard) {
        return shard.ended || !wanted(shard) || !readable(shard) || shard.caught_up;
      });
      if (all_caught_up) {
        if (options_.progress) options_.progress(delivered_, written, true);
        if (!options_.follow) break;
        if (options_.idle_exit_ms &&
            Clock::now() - last_news >= std::chrono::milliseconds(*options_.idle_exit_ms))
          break;
      }
      std::this_thread::sleep_until(next_due());
    }
    out_.flush();
    commit();
    return delivered_;
  }

 private:
  void start() {
    for (aws::ShardInfo& info : kinesis_.list_shards(options_.source.stream)) {
      ShardState& shard = shards_.emplace_back();
      shard.info = std::move(info);
      shard.listed_at_start = true;
    }
    for (std::uint32_t index : options_.shards) {
      std::string id = store::shard_id(index);
      if (std::none_of(shards_.begin(), shards_.end(), [&](const ShardState& s) { return s.info.id == id; }))
        throw cli::Error(cli::Exit::no_input, options_.source.stream, "no such shard " + id);
      wanted_.push_back(id);
    }
    const StartPosition& from = options_.from;
    bool by_sequence = from.kind == StartPosition::Kind::at_sequence || from.kind == StartPosition::Kind::after_sequence;
    if (!by_sequence) return join_group();
    // The shard that holds SEQ: the one asked for, else the one whose GetShardIterator takes it.
    for (ShardState& shard : shards_) {
      if (!wanted_.empty() && !wanted(shard)) continue;
      try {
        shard.iterator = kinesis_.shard_iterator(options_.source.stream, shard.info.id, start_of(shard));
      } catch (const aws::ServiceError& e) {
        bool elsewhere = e.type() == "InvalidArgumentException" || e.type() == "ResourceNotFoundException";
        if (!elsewhere || !wanted_.empty()) throw;
        continue;
      }
      wanted_ = {shard.info.id};
      join_group();
      return;
    }
    throw cli::Error(cli::Exit::usage, "--from", fmt::format("no shard of {} has sequence number {}",
                                                            options_.source.stream, from.sequence_text));
  }

  // Takes the group's leases of the shards read; a shard resumes after its checkpoint, and one
  // whose lease is SHARD_END is finished (its children are read).
  void join_group() {
    if (!group_) return;
    std::vector<const aws::ShardInfo*> read;
    for (const ShardState& shard : shards_)
      if (wanted(shard)) read.push_back(&shard.info);
    group_->start(read, initial_checkpoint());
    joined_ = true;
    for (ShardState& shard : shards_) {
      if (group_->finished(shard.info.id)) {
        shard.ended = true;
        continue;
      }
      const Lease* lease = group_->held(shard.info.id);
      if (lease == nullptr || !lease->has_sequence()) continue;
      shard.last_sequence = shard.checkpointed = lease->checkpoint;
      shard.iterator.clear();  // --from applies only to shards without a checkpoint
    }
  }

  // A new lease's checkpoint: where --from starts, in the KCL's words.
  std::string_view initial_checkpoint() const {
    switch (options_.from.kind) {
      case StartPosition::Kind::latest: return kLatest;
      case StartPosition::Kind::at_timestamp: return kAtTimestamp;
      default: return kTrimHorizon;
    }
  }

  // With a group, after what was read is delivered (flushed): each shard's checkpoint moves past
  // it, and a shard read to its end is SHARD_END, so that its children are read next.
  void commit() {
    if (!group_) return;
    for (ShardState& shard : shards_) {
      std::string_view now = shard.ended ? kShardEnd : std::string_view(shard.last_sequence);
      if (now.empty() || now == shard.checkpointed || group_->held(shard.info.id) == nullptr) continue;
      group_->checkpoint(shard.info.id, now);
      shard.checkpointed = now;
    }
  }

  // Lists the shards again after one ended, for the children a reshard made.
  void refresh() {
    for (aws::ShardInfo& info : kinesis_.list_shards(options_.source.stream)) {
      auto known = std::find_if(shards_.begin(), shards_.end(), [&](const ShardState& s) { return s.info.id == info.id; });
      if (known != shards_.end()) {
        known->info.closed = info.closed;
        continue;
      }
      ShardState& shard = shards_.emplace_back();
      shard.info = std::move(info);
      if (group_ && wanted(shard)) {
        group_->add(shard.info);
        shard.ended = group_->finished(shard.info.id);
      }
    }
  }

  bool is_wanted(const std::string& id) const {
    return !id.empty() && std::find(wanted_.begin(), wanted_.end(), id) != wanted_.end();
  }
  // With a group, only the shards whose leases this member holds (finished ones aside).
  bool wanted(const ShardState& shard) const {
    if (!wanted_.empty() && !is_wanted(shard.info.id)) return false;
    return !group_ || !joined_ || shard.ended || group_->held(shard.info.id) != nullptr;
  }

  // Every parent still listed is read to its end.
  bool readable(const ShardState& shard) const {
    for (const std::string* parent : {&shard.info.parent, &shard.info.adjacent_parent}) {
      if (parent->empty()) continue;
      auto found = std::find_if(shards_.begin(), shards_.end(), [&](const ShardState& s) { return s.info.id == *parent; });
      if (found != shards_.end() && !found->ended && wanted(*found)) return false;
    }
    return true;
  }

  aws::IteratorStart start_of(const ShardState& shard) const {
    if (!shard.last_sequence.empty()) return {"AFTER_SEQUENCE_NUMBER", shard.last_sequence, 0};
    // A shard made after the start is read from its beginning.
    if (!shard.listed_at_start) return {"TRIM_HORIZON", {}, 0};
    const StartPosition& from = options_.from;
    return {iterator_type(from.kind), from.sequence_text, from.time};
  }

  void poll(ShardState& shard) {
    if (shard.iterator.empty()) shard.iterator = kinesis_.shard_iterator(options_.source.stream, shard.info.id, start_of(shard));
    std::uint64_t left = options_.limit == 0 ? kGetRecordsLimit : options_.limit - delivered_;
    auto limit = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, kGetRecordsLimit));
    try {
      kinesis_.get_records(shard.iterator, limit, fetched_);
    } catch (const aws::ServiceError& e) {
      // An iterator lives 5 minutes: a new one starts after the last record read.
      if (e.type() != "ExpiredIteratorException") throw;
      shard.iterator = kinesis_.shard_iterator(options_.source.stream, shard.info.id, start_of(shard));
      kinesis_.get_records(shard.iterator, limit, fetched_);
    }
    Clock::time_point now = Clock::now();
    shard.calls[shard.oldest_call] = now;
    shard.oldest_call = (shard.oldest_call + 1) % shard.calls.size();
    shard.next_poll = shard.calls[shard.oldest_call] + kRateWindow;
    if (fetched_.records.empty()) shard.next_poll = std::max(shard.next_poll, now + kPollInterval);
    write(shard);
    if (!fetched_.records.empty()) shard.last_sequence = fetched_.records.back().sequence;
    shard.caught_up = fetched_.records.empty() && fetched_.millis_behind == 0;
    if (fetched_.next_iterator)
      shard.iterator = std::move(*fetched_.next_iterator);
    else
      shard.ended = true;
  }

  void write(const ShardState& shard) {
    std::string& out = out_.buffer();
    bool in_event = false;
    std::uint32_t in_batch = 0;
    for (const aws::FetchedRecord& fetched : fetched_.records) {
      RemoteRecord record{shard.info.id, fetched.sequence, fetched.partition_key, fetched.data, fetched.arrival_ms, false};
      switch (options_.format) {
        case OutputFormat::data: append_data(out, record); break;
        case OutputFormat::envelope:
          record.json = is_json(fetched.data);
          append_envelope(out, record, options_.source);
          break;
        case OutputFormat::lambda:
          if (!in_event) lambda_.begin(out);
          lambda_.add(out, record, !in_event);
          in_event = true;
          if (++in_batch == options_.batch_size) {
            lambda_.end(out);
            in_event = false;
            in_batch = 0;
          }
          break;
      }
      ++delivered_;
      if (!in_event) out_.maybe_flush();
    }
    if (in_event) lambda_.end(out);
  }

  // As ks-put stored it: JSON records go into envelopes as JSON, others as strings.
  bool is_json(const std::string& data) {
    simdjson::dom::element ignored;
    return parser_.parse(data).get(ignored) == simdjson::SUCCESS;
  }

  bool limit_reached() const { return options_.limit != 0 && delivered_ >= options_.limit; }

  Clock::time_point next_due() const {
    Clock::time_point due = Clock::now() + kPollInterval;
    if (group_) due = std::min(due, group_->next_renewal());
    for (const ShardState& shard : shards_)
      if (!shard.ended && wanted(shard) && readable(shard)) due = std::min(due, shard.next_poll);
    return due;
  }

  aws::KinesisClient& kinesis_;
  EndpointGroup* group_;  // null: no group
  bool joined_ = false;   // the group's leases are taken
  const ConsumeOptions& options_;
  lines::Writer& out_;
  LambdaEvent lambda_;
  std::vector<ShardState> shards_;
  std::vector<std::string> wanted_;  // empty: every shard
  aws::FetchedRecords fetched_;
  simdjson::dom::parser parser_;
  std::uint64_t delivered_ = 0;
};

}  // namespace

std::uint64_t consume(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options,
                      lines::Writer& out) {
  return EndpointConsumer(kinesis, group, options, out).run();
}

}  // namespace millrace::stream
