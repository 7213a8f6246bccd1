// PutTarget: the stream ks-put appends to, wherever it is: in a store directory (grouped LMDB
// commits, stream/ingest.h's first ingest) or behind an endpoint (PutRecords by lanes, its
// second). What ks-put does once its options are read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aws/store_spec.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/env.h"
#include "store/notify.h"
#include "stream/ingest.h"
#include "stream/put_parser.h"

namespace millrace::stream {

class PutTarget {
 public:
  // Opens `stream` of `store` for appending, a directory's commits fsynced as `sync` says.
  // With `create_shards`, creates the stream with that many shards when it is missing (on an
  // endpoint by CreateStream, waiting until it is ACTIVE); else a missing stream (or store
  // directory) is store::no_such_stream's error.
  PutTarget(const aws::StoreSpec& store, std::string stream, store::Sync sync, std::optional<std::uint32_t> create_shards);

  // Whether the stream was created by this PutTarget.
  bool created() const { return created_; }

  // Appends every line of `reader`, as ingest() says for the store's kind. `explicit_hash_key`
  // (decimal, or empty): the hash key that routes every record instead of its key's MD5.
  IngestStats put(lines::Reader& reader, PutParser& parser, OnError on_error, lines::Writer* print,
                  const std::string& explicit_hash_key);

 private:
  aws::StoreSpec store_;
  std::string stream_;
  std::optional<store::Env> env_;  // a directory's
  std::optional<store::Notifier> notifier_;
  bool created_ = false;
};

}  // namespace millrace::stream
