// Consumer: the loop of ks-consume (GetShardIterator and GetRecords, with a group's checkpoints
// and leases).
//
// Each poll renews a short read transaction, reads what is new in the shards it follows (all
// of them merged by arrival time, or the ones asked for), formats it, ends the transaction, and
// only then writes: a slow reader of stdout never pins old pages. With a group, what was
// written and flushed is checkpointed after each poll, so a restart neither skips anything nor
// repeats more than the last poll, and the group's members share the shards through leases
// (leases.h); the checkpoint's commit records the poll's GetRecords metrics
// (metrics/kinesis.h). Following sleeps on the store's Notifier between polls.
//
// A shard is read only once every shard it descends from (by splits, merges and scales) is
// finished, so each partition key's records come out in the order they were put.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/kinesis_client.h"
#include "lines/time.h"
#include "lines/writer.h"
#include "store/env.h"
#include "store/notify.h"
#include "store/sequence.h"
#include "stream/formats.h"

namespace millrace::stream {

// Where a reader without a checkpoint starts (Kinesis' shard iterator types).
struct StartPosition {
  enum class Kind { trim_horizon, latest, at_sequence, after_sequence, at_timestamp };
  Kind kind = Kind::trim_horizon;
  store::Position sequence{};  // at_sequence, after_sequence: SEQ in a store directory
  std::string sequence_text;   // at_sequence, after_sequence: SEQ as given
  bool store_sequence = false; // SEQ is of a store directory's form (store/sequence.h)
  lines::EpochMs time = 0;     // at_timestamp

  // trim-horizon | latest | at:SEQ | after:SEQ | time:ISO8601; nullopt when none of these.
  // SEQ is any Kinesis sequence number (0, or up to 129 digits without a leading 0): an
  // endpoint's are not of a store directory's form, which only a directory needs.
  static std::optional<StartPosition> parse(std::string_view text);
};

// Who writes a group's checkpoints: the consumer after each flushed poll (or handled batch), or
// the later stage that reads its envelopes, once their records are durable there
// (provenance.h).
enum class Checkpointing { poll, downstream };
inline const std::vector<std::pair<std::string, Checkpointing>> kCheckpointings = {
    {"poll", Checkpointing::poll}, {"downstream", Checkpointing::downstream}};

struct ConsumeOptions {
  Source source;                       // stream and group
  StartPosition from;
  std::vector<std::uint32_t> shards;   // empty: every shard
  std::uint64_t limit = 0;             // 0: no limit
  bool follow = false;
  std::optional<std::int64_t> idle_exit_ms;
  OutputFormat format = OutputFormat::data;
  std::uint32_t batch_size = 100;      // records per lambda event
  std::int64_t lease_timeout_ms = 10'000;  // with a group: how long a dead member keeps its shards
  Checkpointing checkpointing = Checkpointing::poll;
  // Told the records and bytes delivered so far after each poll that delivered some (bytes: of
  // output, or of the handlers' events), and then, once, caught_up when a poll finds nothing
  // new: ks-consume's progress line while it catches up. May be empty.
  std::function<void(std::uint64_t records, std::uint64_t bytes, bool caught_up)> progress;
};

// Writes records to `out` until the stream is drained (or, following, until idle or stopped);
// returns how many were delivered. Throws cli::Error(no_input) for a missing stream or shard.
std::uint64_t consume(store::Env& env, store::Notifier& notifier, const ConsumeOptions& options, lines::Writer& out);

// The same from an endpoint: the shards as EndpointShards reads them (endpoint_shards.h), with a
// group's leases and checkpoints when `group` is not null; the output lines are the local ones,
// with the service's shard ids and sequence numbers, a shard's answer at a time. With a group,
// the checkpoints move past what each poll read once it is flushed.
inline constexpr int kGetRecordsPerSecond = 5;
class EndpointGroup;
std::uint64_t consume(aws::KinesisClient& kinesis, EndpointGroup* group, const ConsumeOptions& options,
                      lines::Writer& out);

}  // namespace millrace::stream
