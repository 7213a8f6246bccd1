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
  EndpointConsumer(aws::KinesisClient& kinesis, const ConsumeOptions& options, lines::Writer& out)
      : kinesis_(kinesis), options_(options), out_(out), lambda_(options.source) {}

  std::uint64_t run() {
    start();
    Clock::time_point last_news = Clock::now();
    std::uint64_t written = 0;
    while (!cli::stop_requested()) {
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
    if (!by_sequence) return;
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
      return;
    }
    throw cli::Error(cli::Exit::usage, "--from", fmt::format("no shard of {} has sequence number {}",
                                                            options_.source.stream, from.sequence_text));
  }

  // Lists the shards again after one ended, for the children a reshard made.
  void refresh() {
    for (aws::ShardInfo& info : kinesis_.list_shards(options_.source.stream)) {
      auto known = std::find_if(shards_.begin(), shards_.end(), [&](const ShardState& s) { return s.info.id == info.id; });
      if (known != shards_.end()) {
        known->info.closed = info.closed;
        continue;
      }
      shards_.emplace_back().info = std::move(info);
    }
  }

  bool is_wanted(const std::string& id) const {
    return !id.empty() && std::find(wanted_.begin(), wanted_.end(), id) != wanted_.end();
  }
  bool wanted(const ShardState& shard) const { return wanted_.empty() || is_wanted(shard.info.id); }

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
    for (const ShardState& shard : shards_)
      if (!shard.ended && wanted(shard) && readable(shard)) due = std::min(due, shard.next_poll);
    return due;
  }

  aws::KinesisClient& kinesis_;
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

std::uint64_t consume(aws::KinesisClient& kinesis, const ConsumeOptions& options, lines::Writer& out) {
  if (options.source.group)
    throw cli::Error(cli::Exit::usage, "--group",
                     "a group on an endpoint needs leases in a DynamoDB table, which are still to come "
                     "(issue 19); read without -g, or from a store directory");
  return EndpointConsumer(kinesis, options, out).run();
}

}  // namespace millrace::stream
