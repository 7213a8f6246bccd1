#include "stream/stream_reader.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/error.h"
#include "store/sequence.h"

namespace millrace::stream {

std::uint32_t StreamReader::start(const store::Txn& txn) {
  store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
  stream_id_ = stream.id;
  std::vector<store::ShardMeta> shards = store::load_shards(txn, stream.id);
  const StartPosition& from = options_.from;
  bool by_sequence = from.kind == StartPosition::Kind::at_sequence || from.kind == StartPosition::Kind::after_sequence;
  wanted_ = options_.shards;
  if (by_sequence && !from.store_sequence)
    throw cli::Error(cli::Exit::usage, "--from",
                     fmt::format("{} is not a sequence number of a store directory", from.sequence_text));
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
  if (options_.source.group) leases_.emplace(env_, stream.id, *options_.source.group, options_.lease_timeout_ms);
  if (options_.source.group && options_.checkpointing == Checkpointing::poll) recorder_.emplace();
  return stream.id;
}

store::Txn StreamReader::begin_poll(store::ReadTxn& reader) {
  store::Txn txn = reader.renew();
  refresh(txn);
  if (leases_) {
    std::vector<std::uint32_t> eligible = readable();
    if (leases_->due(lines::now_ms(), eligible)) {
      reader.reset();
      hold(leases_->renew(eligible));
      txn = reader.renew();
      refresh(txn);
    }
  }
  return txn;
}

std::optional<std::int64_t> StreamReader::leases_due_in(lines::EpochMs now) const {
  if (!leases_) return std::nullopt;
  return std::max<std::int64_t>(0, leases_->next_due() - now);
}

void StreamReader::refresh(const store::Txn& txn) {
  store::StreamMeta stream = store::stream_or_throw(txn, options_.source.stream);
  if (stream.id != stream_id_)
    throw cli::Error(cli::Exit::no_input, options_.source.stream, "the stream was deleted while being read");
  shards_ = store::load_shards(txn, stream_id_);
  if (options_.source.group) checkpoints_ = store::load_checkpoints(txn, stream_id_, *options_.source.group);
}

std::vector<std::uint32_t> StreamReader::readable() const {
  std::vector<std::uint32_t> found;
  for (const store::ShardMeta& shard : shards_)
    if (is_readable(shard)) found.push_back(shard.index);
  return found;
}

bool StreamReader::may_read(const store::ShardMeta& shard) {
  if (!is_readable(shard)) return false;
  if (!leases_) return true;
  auto it = checkpoints_.find(shard.index);
  if (held_.contains(shard.index) && it != checkpoints_.end() && it->second.owner == leases_->owner()) return true;
  held_.erase(shard.index);
  next_.erase(shard.index);
  delivered_.erase(shard.index);
  return false;
}

void StreamReader::hold(const std::set<std::uint32_t>& held) {
  for (auto it = next_.begin(); it != next_.end();) it = held.contains(it->first) ? std::next(it) : next_.erase(it);
  for (auto it = delivered_.begin(); it != delivered_.end();)
    it = held.contains(it->first) ? std::next(it) : delivered_.erase(it);
  for (std::uint32_t shard : held)
    if (!held_.contains(shard)) next_.erase(shard);
  held_ = held;
}

std::uint64_t StreamReader::position(const store::ShardMeta& shard) const {
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

void StreamReader::delivered(std::uint32_t shard, std::uint64_t next) {
  next_[shard] = next;
  delivered_[shard] = next;
}

void StreamReader::checkpoint() {
  if (!options_.source.group || options_.checkpointing == Checkpointing::downstream || delivered_.empty()) return;
  lines::EpochMs now = lines::now_ms();
  const std::string& group = *options_.source.group;
  metrics::write(env_, recorder(), [&](const store::Txn& txn) {
    auto current = store::load_checkpoints(txn, stream_id_, group);
    for (auto [shard, next] : delivered_) {
      store::Checkpoint& checkpoint = current[shard];
      if (leases_ && checkpoint.owner != leases_->owner()) continue;  // the lease moved: the new owner repeats
      checkpoint.counter = next - 1;
      checkpoint.updated_ms = now;
      store::save_checkpoint(txn, stream_id_, group, shard, checkpoint);
    }
  });
  delivered_.clear();
}

bool StreamReader::finished(const store::ShardMeta& shard) const {
  return !shard.open && position(shard) >= shard.next_counter;
}

bool StreamReader::is_readable(const store::ShardMeta& shard) const {
  if (!wanted_.empty()) return std::find(wanted_.begin(), wanted_.end(), shard.index) != wanted_.end();
  if (finished(shard)) return false;
  for (std::uint32_t ancestor : store::ancestors(shards_, shard))
    if (!finished(*store::find_shard(shards_, ancestor))) return false;
  return true;
}

}  // namespace millrace::stream
