// Exec: ks-consume --exec, Lambda's event source mapping for Kinesis on one machine.
//
// Each shard's records go to the handler command in batches, one batch per shard at a time and
// in order, up to `parallel` shards at once. While a shard's batch is at its handler, the next
// one is read (and, for a warm runtime, its Lambda event built and, the moment the batch
// succeeds whole, handed to the runtime before it asks for its next event): no batch is begun
// before the one before it is done, and a batch read ahead is not begun after a stop signal. A batch that succeeds moves the shard's position
// (and the group's checkpoint) past it. One that fails is retried; with bisect it is split in
// two and each half handled on its own, so a poison record is isolated while the good records
// around it are handled once. A partial batch response (batchItemFailures) marks the records
// before the lowest failed sequence number done, and the rest is retried. Records that exhaust
// their retries, or that are older than the maximum record age, are sent to the on-failure
// stream as Lambda failure records (pointers to the records, not the records), and the position
// moves past them: a shard never stops for good behind one bad record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aws/store_spec.h"
#include "runtime/function.h"
#include "store/env.h"
#include "store/notify.h"
#include "stream/consumer.h"

namespace millrace::stream {

struct ExecOptions {
  std::string command;                       // run by /bin/sh -c
  // Instead of a command: a function whose warm runtimes (one per `parallel`) are handed the
  // batches' Lambda events over the Runtime API (runtime/pool.h). Its return value is written
  // to stdout as a JSON line (unless null, or a partial batch response); its logs go to stderr.
  std::optional<runtime::Function> function;
  std::optional<std::int64_t> batch_window_ms;  // wait this long for a batch to fill
  std::optional<std::uint32_t> retries;      // nullopt: until the records expire
  std::optional<std::int64_t> max_record_age_ms;
  bool bisect = false;
  std::optional<std::string> on_failure;     // a stream for failure records
  std::uint32_t parallel = 1;                // shards handled at once
  std::optional<std::int64_t> timeout_ms;    // a handler running longer is killed and has failed
  OutputFormat format = OutputFormat::lambda;  // what the handler reads on stdin
};

// Hands the stream's records to the handler until drained (or, following, until idle or
// stopped); returns how many records were handled or sent to the failure stream. The handlers'
// stdout goes to ours, a whole invocation's output at a time per shard. Throws
// cli::Error(no_input) for a missing stream or failure stream.
std::uint64_t consume_exec(store::Env& env, store::Notifier& notifier, const ConsumeOptions& options,
                           const ExecOptions& exec);

// The same on an endpoint: the shards as EndpointShards reads them (endpoint_shards.h), each
// GetRecords' records (up to kGetRecordsLimit) in batches of up to --batch-size handled in order
// at the shard's lane, the next GetRecords once they are done; failure records
// are put to the on-failure stream at the endpoint (PutRecords, failed entries sent again). With
// `group` (endpoint_group.h), a shard's checkpoint moves past each batch handled, and to
// SHARD_END once a closed shard's last batch is handled: its children are read only then.
// Without --retries, a batch is retried until its records are kEndpointRetentionMs old.
// Throws cli::Error(unavailable) for --batch-window, cli::Error(no_input) for a missing stream or
// failure stream.
inline constexpr std::int64_t kEndpointRetentionMs = 24 * 3600 * 1000;  // Kinesis' default retention
class EndpointGroup;
std::uint64_t consume_exec(const aws::StoreSpec& store, EndpointGroup* group, const ConsumeOptions& options,
                           const ExecOptions& exec);

}  // namespace millrace::stream
