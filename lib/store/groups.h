// Groups: consumer groups' checkpoints and leases (database `groups`).
//
// Per stream, group and shard: the counter of the last record delivered (a restart resumes
// after it), when it was written, and the lease: which consumer holds the shard and until when.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "store/env.h"

namespace millrace::store {

struct Checkpoint {
  std::uint64_t counter = 0;  // last record delivered; 0: none yet
  lines::EpochMs updated_ms = 0;
  std::string owner;               // lease holder, empty when free
  lines::EpochMs lease_expiry_ms = 0;
};

// The group names of a stream, in order.
std::vector<std::string> list_groups(const Txn& txn, std::uint32_t stream_id);
// The group's checkpoints by shard index.
std::map<std::uint32_t, Checkpoint> load_checkpoints(const Txn& txn, std::uint32_t stream_id, std::string_view group);
void save_checkpoint(const Txn& txn, std::uint32_t stream_id, std::string_view group, std::uint32_t shard,
                     const Checkpoint& checkpoint);

}  // namespace millrace::store
