#include "stream/provenance.h"

#include <algorithm>

#include "store/groups.h"
#include "store/names.h"
#include "store/sequence.h"
#include "store/streams.h"

namespace millrace::stream {

std::optional<std::string> GroupProgress::check(std::string_view stream, std::string_view group, std::string_view seq) {
  if (auto wrong = store::check_name(stream)) return "envelope \"stream\": " + *wrong;
  if (auto wrong = store::check_name(group)) return "envelope \"group\": " + *wrong;
  if (!store::parse_sequence(seq)) return "envelope \"seq\" is not a sequence number: " + std::string(seq);
  return std::nullopt;
}

std::optional<std::string> GroupProgress::note(std::string_view stream, std::string_view group, std::string_view seq) {
  if (auto wrong = check(stream, group, seq)) return wrong;
  std::optional<store::Position> position = store::parse_sequence(seq);
  auto key = std::make_tuple(std::string(stream), std::string(group), position->shard);
  std::uint64_t& highest = highest_[std::move(key)];
  highest = std::max(highest, position->counter);
  return std::nullopt;
}

void GroupProgress::commit(const store::Txn& txn, lines::EpochMs now) const {
  std::string_view loaded_stream, loaded_group;
  std::optional<store::StreamMeta> stream;
  std::map<std::uint32_t, store::Checkpoint> checkpoints;
  for (const auto& [key, counter] : highest_) {
    const auto& [stream_name, group, shard] = key;
    if (stream_name != loaded_stream || group != loaded_group) {  // the map is sorted: one load per group
      loaded_stream = stream_name;
      loaded_group = group;
      stream = store::find_stream(txn, stream_name);
      if (stream) checkpoints = store::load_checkpoints(txn, stream->id, group);
    }
    if (!stream) continue;
    store::Checkpoint& checkpoint = checkpoints[shard];
    if (checkpoint.counter >= counter) continue;
    checkpoint.counter = counter;
    checkpoint.updated_ms = now;
    store::save_checkpoint(txn, stream->id, group, shard, checkpoint);
  }
}

}  // namespace millrace::stream
