// stream::consume_store: a consumer's reading wherever its stream is, in a store directory or
// behind an endpoint, to lines or to a handler. What ks-consume does once its options are read.
#pragma once

#include <cstdint>

#include "aws/store_spec.h"
#include "lines/writer.h"
#include "store/env.h"
#include "stream/consumer.h"
#include "stream/exec.h"

namespace millrace::stream {

// Whether `exec` names a handler: a command, or a function's runtime.
bool has_handler(const ExecOptions& exec);

// Reads the stream of `options` from `store` until drained (or, following, until idle or
// stopped) and returns the records delivered: as lines to `out`, or, when `exec` has a handler,
// as the handler's batches (consume_exec). A directory is opened for reading with `sync` (the
// checkpoints' durability); an endpoint is read by GetRecords (consumer.h), a group's leases kept
// in its lease table (endpoint_group.h). Throws cli::Error(unavailable) for --checkpoint
// downstream on an endpoint, which is still to come.
std::uint64_t consume_store(const aws::StoreSpec& store, store::Sync sync, const ConsumeOptions& options,
                            const ExecOptions& exec, lines::Writer& out);

}  // namespace millrace::stream
