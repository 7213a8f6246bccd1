// Ingest: the loop of ks-put. Lines in, records appended in grouped commits.
//
// The calling thread reads and parses lines; a commit thread appends them in grouped commits
// (store/group_commit.h). Commits keep input order, so what is in the store is always a prefix of the input. A bad line
// under OnError::fail ends the ingest after every earlier line is committed. Each commit
// records the stream's IncomingRecords and IncomingBytes (metrics/kinesis.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aws/kinesis_client.h"
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

// The same on an endpoint, by PutRecords: the lines are read, parsed and grouped as above, and
// the commit thread sends each group by lanes at once. The lanes divide the hash keys: each open
// shard of the stream when the put starts (ListShards) has kMaxPutLanes / shards of them (at
// least one), each taking an even part of the shard's hash range, so that every key has one
// lane, a record's lane being found by its hash key (MD5, as store/hash_key.h), and its records
// are sent in input order, while a shard takes several requests at once. Each lane sends one
// request at a time over its own connection (a durable endpoint, as gw-serve, commits the lanes'
// requests together), in requests of at most kPutRecordsCount records and kPutRecordsBytes of
// data and partition keys. A shard's records of different keys may then be in another order
// than the input's, as on Kinesis, which orders the records of a key. Entries the
// service fails (ProvisionedThroughputExceeded, InternalFailure) are sent again alone, after
// AWS's back-off, before any later record of their lane: a failed record holds back the later
// records of its key, so each key's records arrive in input order across requests. (Within one
// request the service may take a later record of a key whose earlier one failed: PutRecords
// orders no more than that, as AWS documents.) `explicit_hash_key`, when not empty, is sent
// with every record. With `print`, the service's ShardId and SequenceNumber of each record, in
// input order, once its group is in. Throws cli::Error(temp_fail) when a request or an entry
// still fails after the last attempt (aws/retry.h); the groups before it are in the stream, and
// perhaps some of its own.
inline constexpr std::size_t kPutRecordsCount = 500;
inline constexpr std::size_t kPutRecordsBytes = 5 << 20;
inline constexpr std::size_t kMaxPutLanes = 16;
IngestStats ingest(const aws::StoreSpec& store, const std::string& stream, lines::Reader& reader, PutParser& parser,
                   OnError on_error, lines::Writer* print, const std::string& explicit_hash_key);

// Puts `records` (at most kPutRecordsCount) by PutRecords, sending the entries the service fails
// again alone after AWS's back-off until every one is in; results[i] is records[i]'s. Throws
// cli::Error(temp_fail) when some still fail after the last attempt.
void put_all(aws::KinesisClient& kinesis, const std::string& stream, std::span<const aws::PutEntry> records,
             std::vector<aws::PutResult>& results);

}  // namespace millrace::stream
