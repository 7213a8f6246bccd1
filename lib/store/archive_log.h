// ArchiveLog: the objects fh-archive has begun to write whose records a group's checkpoint does
// not yet cover (database `archive`).
//
// fh-archive buffers records per partition and writes a partition's object when its buffer is
// full or old, so one shard's records reach objects out of order, and the group's checkpoint
// can only move to just before its oldest record still in a buffer. Records after the
// checkpoint may thus be in objects already. Before an object is renamed into place, its entry
// is committed here: its key, its partition, and for each stream, group and shard the first and
// last record in it. After a crash, a rerun reads again from the checkpoint; an entry whose
// object exists says that its records are archived, to be skipped (the object holds every
// record of its partition in those ranges); an entry whose object does not exist was never
// renamed, and is dropped. An entry goes once the checkpoint covers its ranges.
//
// Key: a 16-byte digest of the bucket's canonical path, then one of the object's key (an LMDB
// key is at most 511 bytes; these paths may be longer). Value: the object's key, its partition,
// and its ranges. DO NOT CHANGE without a migration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"

namespace millrace::store {

struct ArchivedRange {
  std::string stream, group;
  std::uint32_t shard = 0;
  std::uint64_t first = 0, last = 0;  // counters, inclusive
};

struct PendingObject {
  std::string key;        // beneath the bucket
  std::string partition;  // fh-archive's partition id
  std::vector<ArchivedRange> ranges;
};

class ArchiveLog {
 public:
  void add(const Txn& txn, std::string_view bucket, const PendingObject& object) const;
  void remove(const Txn& txn, std::string_view bucket, std::string_view key) const;
  // The bucket's pending objects.
  std::vector<PendingObject> load(const Txn& txn, std::string_view bucket) const;
};

}  // namespace millrace::store
