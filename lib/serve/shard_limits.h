// ShardLimits: Kinesis' write limits of a shard, 1000 records and 1 MiB of data and partition
// keys a second, for `gw-serve --shard-limits`, so that a producer's back-off can be tested
// against a server that throttles as Kinesis does, and always in the same way.
//
// Accounting: each shard has a window that opens at the first put to the shard after its last
// window ended, and lasts one second (ShardRates::window_ms). In it the shard admits 1000
// records and 1,048,576 bytes (each record counts its data and its partition key). A record
// that does not fit in what is left of either is refused and costs nothing, so a smaller record
// after it may still fit. A record larger than the whole byte allowance (1 MiB of data and its
// key, which Kinesis takes) is admitted alone into an empty window. The clock is read once a
// call: the records of one request are in the same instant.
//
// What a test can rely on: of the records put to a shard within one second of the first put of
// its window, exactly the first 1000 (and 1 MiB) are admitted, in the order the server takes
// them (a request's records in order, a connection's requests in order), and the rest are
// refused; a put one second or more after the window opened opens a new one, whole. Why a
// window from the first put rather than windows aligned to the seconds of the clock: a burst
// that a test sends in a few milliseconds may cross a second of the clock on a loaded machine,
// and would then be admitted twice over; from the first put it only has to take under a second.
//
// Thread safety: admit() may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lines/time.h"
#include "store/env.h"
#include "store/records.h"

namespace millrace::serve {

// Kinesis' write limits of a provisioned shard.
struct ShardRates {
  std::uint32_t records = 1000;
  std::uint64_t bytes = 1 << 20;
  lines::EpochMs window_ms = 1000;
};

class ShardLimits {
 public:
  using Clock = std::function<lines::EpochMs()>;
  explicit ShardLimits(ShardRates rates = {}, Clock clock = &lines::now_ms);

  struct Entry {
    std::uint32_t shard;  // the shard's index
    std::size_t bytes;    // data and partition key
  };
  // Decides, in order, whether each entry fits in its shard's window now: admitted[i] tells,
  // and what is admitted is charged.
  void admit(std::uint32_t stream_id, std::span<const Entry> entries, std::vector<bool>& admitted);

  // Admits the puts of one request to `stream`: routes them to its open shards as the store has
  // them now (as the commit routes them: a reshard between the two may commit a record to the
  // child of the shard charged for it), admit()s them, takes those refused out of `puts`, and
  // returns the refusal of each put, in Kinesis' words ("Rate exceeded for shard
  // shardId-000000000001 in stream NAME under account 000000000000."), empty for those admitted.
  // Returns nothing when every put is admitted, or when the stream is not there (the commit
  // answers that).
  std::vector<std::string> throttle(store::Env& env, std::string_view stream,
                                    std::vector<store::Put>& puts);

 private:
  struct Window {
    lines::EpochMs opened_ms = 0;
    std::uint32_t records = 0;
    std::uint64_t bytes = 0;
  };
  // Forgets the windows that have ended, at most once a minute, so that a long-running server
  // holds windows for the shards put to lately only.
  void sweep(lines::EpochMs now);

  ShardRates rates_;
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Window> windows_;  // by stream id and shard index
  lines::EpochMs swept_ms_ = 0;
};

}  // namespace millrace::serve
