#include "serve/shard_limits.h"

#include <fmt/format.h>

#include <algorithm>

#include "serve/kinesis_api.h"
#include "store/sequence.h"
#include "store/streams.h"

namespace millrace::serve {
namespace {

// How often ended windows are forgotten: a minute holds the windows of a minute of puts at most.
constexpr lines::EpochMs kSweepMs = 60'000;

}  // namespace

ShardLimits::ShardLimits(ShardRates rates, Clock clock) : rates_(rates), clock_(std::move(clock)) {}

void ShardLimits::admit(std::uint32_t stream_id, std::span<const Entry> entries,
                        std::vector<bool>& admitted) {
  admitted.assign(entries.size(), false);
  std::lock_guard lock(mutex_);
  lines::EpochMs now = clock_();
  sweep(now);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    Window& window = windows_[std::uint64_t{stream_id} << 32 | entry.shard];
    if (window.records == 0 || now - window.opened_ms >= rates_.window_ms || now < window.opened_ms)
      window = Window{now, 0, 0};  // (a clock set back opens a new window too)
    bool empty = window.records == 0;
    bool fits =
        window.records < rates_.records && (empty || window.bytes + entry.bytes <= rates_.bytes);
    if (!fits) continue;
    ++window.records;
    window.bytes += entry.bytes;
    admitted[i] = true;
  }
}

std::vector<std::string> ShardLimits::throttle(store::Env& env, std::string_view stream,
                                               std::vector<store::Put>& puts) {
  std::uint32_t stream_id = 0;
  std::vector<Entry> entries;
  entries.reserve(puts.size());
  {
    store::ReadTxn reader(env);
    const store::Txn& txn = reader.renew();
    auto found = store::find_stream(txn, stream);
    if (!found) return {};
    stream_id = found->id;
    std::vector<store::ShardMeta> shards = store::load_shards(txn, stream_id);
    store::OpenShards open(shards);
    for (const store::Put& put : puts)
      entries.push_back(
          {open.shard_for(put.hash).index, put.data.size() + put.partition_key.size()});
  }
  std::vector<bool> admitted;
  admit(stream_id, entries, admitted);
  if (std::find(admitted.begin(), admitted.end(), false) == admitted.end()) return {};
  std::vector<std::string> refusals(puts.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < puts.size(); ++i) {
    if (admitted[i])
      puts[kept++] = puts[i];
    else
      refusals[i] = fmt::format("Rate exceeded for shard {} in stream {} under account {}.",
                                store::shard_id(entries[i].shard), stream, kAccountId);
  }
  puts.resize(kept);
  return refusals;
}

void ShardLimits::sweep(lines::EpochMs now) {
  if (now - swept_ms_ < kSweepMs) return;
  swept_ms_ = now;
  std::erase_if(windows_, [&](const auto& entry) {
    return now - entry.second.opened_ms >= rates_.window_ms;
  });
}

}  // namespace millrace::serve
