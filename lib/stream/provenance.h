// GroupProgress: the later stage's side of `ks-consume --checkpoint downstream`.
//
// A consumer that leaves its group's checkpoint downstream prints envelopes naming their
// stream, group and sequence number. A stage that makes the records durable somewhere else
// (kv-put's items, fh-archive's objects) notes each envelope it has taken and, once its output
// is durable (in the same commit as kv-put's items; after fh-archive's objects are renamed
// into place), commits the highest sequence number noted per stream, group and shard as the
// group's checkpoint. A restart of the pipeline then resumes after what reached the output:
// nothing is lost, and at most what was taken but not yet durable is read again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "lines/time.h"
#include "store/env.h"

namespace millrace::stream {

class GroupProgress {
 public:
  // Notes that the record `seq` of `stream`, read by `group`, was taken. Returns what is wrong
  // with the provenance instead (a name or sequence number that is not one).
  std::optional<std::string> note(std::string_view stream, std::string_view group, std::string_view seq);
  // What note() would find wrong with this provenance, without noting it.
  static std::optional<std::string> check(std::string_view stream, std::string_view group, std::string_view seq);
  bool empty() const { return highest_.empty(); }
  // In `txn`: moves each noted group's checkpoint forward to the highest record noted (never
  // back, so a stage that lags a member's own checkpoints cannot undo them). Streams deleted
  // meanwhile are passed over. The lease fields are kept. What was noted is kept too, so a
  // transaction body that Env::write runs again commits the same.
  void commit(const store::Txn& txn, lines::EpochMs now) const;
  void clear() { highest_.clear(); }

 private:
  // (stream, group, shard) → highest counter noted.
  std::map<std::tuple<std::string, std::string, std::uint32_t>, std::uint64_t, std::less<>> highest_;
};

}  // namespace millrace::stream
