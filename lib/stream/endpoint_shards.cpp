#include "stream/endpoint_shards.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/error.h"
#include "store/sequence.h"
#include "stream/endpoint_group.h"

namespace millrace::stream {
namespace {

// The service allows kGetRecordsPerSecond calls a shard in any second: a shard behind takes
// them at once, one caught up polls evenly, once every interval.
constexpr auto kRateWindow = std::chrono::seconds(1);
constexpr auto kPollInterval = std::chrono::milliseconds(1000 / kGetRecordsPerSecond);

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

}  // namespace

EndpointShards::EndpointShards(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options)
    : kinesis_(kinesis), group_(group), options_(options) {}

void EndpointShards::start() {
  for (aws::ShardInfo& info : kinesis_.list_shards(options_.source.stream)) {
    EndpointShard& shard = shards_.emplace_back();
    shard.info = std::move(info);
    shard.listed_at_start = true;
  }
  for (std::uint32_t index : options_.shards) {
    std::string id = store::shard_id(index);
    if (std::none_of(shards_.begin(), shards_.end(), [&](const EndpointShard& s) { return s.info.id == id; }))
      throw cli::Error(cli::Exit::no_input, options_.source.stream, "no such shard " + id);
    wanted_.push_back(id);
  }
  const StartPosition& from = options_.from;
  bool by_sequence = from.kind == StartPosition::Kind::at_sequence || from.kind == StartPosition::Kind::after_sequence;
  if (!by_sequence) return join_group();
  // The shard that holds SEQ: the one asked for, else the one whose GetShardIterator takes it.
  for (EndpointShard& shard : shards_) {
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
void EndpointShards::join_group() {
  if (!group_) return;
  std::vector<const aws::ShardInfo*> read;
  for (const EndpointShard& shard : shards_)
    if (wanted(shard)) read.push_back(&shard.info);
  group_->start(read, initial_checkpoint());
  joined_ = true;
  for (EndpointShard& shard : shards_) {
    if (group_->finished(shard.info.id)) {
      shard.drained = shard.finished = true;
      continue;
    }
    const Lease* lease = group_->held(shard.info.id);
    if (lease == nullptr || !lease->has_sequence()) continue;
    shard.last_sequence = shard.checkpointed = lease->checkpoint;
    shard.iterator.clear();  // --from applies only to shards without a checkpoint
  }
}

// A new lease's checkpoint: where --from starts, in the KCL's words.
std::string_view EndpointShards::initial_checkpoint() const {
  switch (options_.from.kind) {
    case StartPosition::Kind::latest: return kLatest;
    case StartPosition::Kind::at_timestamp: return kAtTimestamp;
    default: return kTrimHorizon;
  }
}

void EndpointShards::refresh() {
  for (aws::ShardInfo& info : kinesis_.list_shards(options_.source.stream)) {
    auto known = std::find_if(shards_.begin(), shards_.end(), [&](const EndpointShard& s) { return s.info.id == info.id; });
    if (known != shards_.end()) {
      known->info.closed = info.closed;
      continue;
    }
    EndpointShard& shard = shards_.emplace_back();
    shard.info = std::move(info);
    if (group_ && wanted(shard)) {
      group_->add(shard.info);
      shard.drained = shard.finished = group_->finished(shard.info.id);
    }
  }
}

// With a group, only the shards whose leases this member holds (finished ones aside).
bool EndpointShards::wanted(const EndpointShard& shard) const {
  if (!wanted_.empty() && std::find(wanted_.begin(), wanted_.end(), shard.info.id) == wanted_.end()) return false;
  return !group_ || !joined_ || shard.finished || group_->held(shard.info.id) != nullptr;
}

// Every parent still listed is finished.
bool EndpointShards::readable(const EndpointShard& shard) const {
  for (const std::string* parent : {&shard.info.parent, &shard.info.adjacent_parent}) {
    if (parent->empty()) continue;
    auto found = std::find_if(shards_.begin(), shards_.end(), [&](const EndpointShard& s) { return s.info.id == *parent; });
    if (found != shards_.end() && !found->finished && wanted(*found)) return false;
  }
  return true;
}

bool EndpointShards::pollable(const EndpointShard& shard, Clock::time_point now) const {
  return !shard.drained && wanted(shard) && readable(shard) && now >= shard.next_poll;
}

aws::IteratorStart EndpointShards::start_of(const EndpointShard& shard) const {
  if (!shard.last_sequence.empty()) return {"AFTER_SEQUENCE_NUMBER", shard.last_sequence, 0};
  // A shard made after the start is read from its beginning.
  if (!shard.listed_at_start) return {"TRIM_HORIZON", {}, 0};
  const StartPosition& from = options_.from;
  return {iterator_type(from.kind), from.sequence_text, from.time};
}

const aws::FetchedRecords& EndpointShards::poll(EndpointShard& shard, std::uint32_t limit) {
  if (shard.iterator.empty()) shard.iterator = kinesis_.shard_iterator(options_.source.stream, shard.info.id, start_of(shard));
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
  if (!fetched_.records.empty()) shard.last_sequence = fetched_.records.back().sequence;
  shard.caught_up = fetched_.records.empty() && fetched_.millis_behind == 0;
  if (fetched_.next_iterator)
    shard.iterator = std::move(*fetched_.next_iterator);
  else
    shard.drained = true;
  return fetched_;
}

bool EndpointShards::caught_up() const {
  return std::all_of(shards_.begin(), shards_.end(), [&](const EndpointShard& shard) {
    return shard.drained || !wanted(shard) || !readable(shard) || shard.caught_up;
  });
}

EndpointShards::Clock::time_point EndpointShards::next_due() const {
  Clock::time_point due = Clock::now() + kPollInterval;
  if (group_) due = std::min(due, group_->next_renewal());
  for (const EndpointShard& shard : shards_)
    if (!shard.drained && wanted(shard) && readable(shard)) due = std::min(due, shard.next_poll);
  return due;
}

void EndpointShards::renew_if_due() {
  if (group_) group_->renew_if_due();
}

void EndpointShards::checkpoint(EndpointShard& shard, std::string_view sequence) {
  if (!group_) return;
  std::string_view now = shard.finished ? kShardEnd : sequence;
  if (now.empty() || now == shard.checkpointed || group_->held(shard.info.id) == nullptr) return;
  group_->checkpoint(shard.info.id, now);
  shard.checkpointed = now;
}

}  // namespace millrace::stream
