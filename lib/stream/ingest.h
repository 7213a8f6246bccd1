// Ingest: the loop of ks-put. Lines in, records appended in grouped commits.
//
// The calling thread reads and parses lines; a commit thread appends them in grouped commits
// (store/group_commit.h). Commits keep input order, so what is in the store is always a prefix of the input. A bad line
// under OnError::fail ends the ingest after every earlier line is committed. Each commit
// records the stream's IncomingRecords and IncomingBytes (metrics/kinesis.h).
#pragma once

#include <cstdint>
#include <string>

#include "lines/input.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/env.h"
#include "store/notify.h"
#include "stream/put_parser.h"

namespace millrace::stream {

using lines::OnError;

struct IngestStats {
  std::uint64_t records = 0;  // committed
  std::uint64_t skipped = 0;  // bad lines passed over under OnError::skip
};

// Appends every line of `reader` to `stream`. With `print`, writes one {"shard","seq"} line per
// record once it is committed. Throws cli::Error(data) at the first bad line under
// OnError::fail, after committing the lines before it.
IngestStats ingest(store::Env& env, store::Notifier& notifier, const std::string& stream, lines::Reader& reader,
                   PutParser& parser, OnError on_error, lines::Writer* print);

}  // namespace millrace::stream
