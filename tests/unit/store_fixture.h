// A store in a temporary directory, for the tests of lib/store and lib/stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/env.h"
#include "store/notify.h"
#include "store/records.h"
#include "store/streams.h"
#include "temp_dir.h"

namespace millrace::test {

// A record as read back, owning its bytes.
struct StoredRecord {
  std::uint64_t counter;
  lines::EpochMs arrival_ms;
  std::string partition_key, data;
  bool json;
};

class StoreFixture {
 public:
  // Sync::none: the tests check what is committed, not what survives a power cut.
  StoreFixture() : env(dir / "store", store::Access::write, store::Sync::none), notifier(env.dir()) {}

  store::StreamMeta create(std::string_view name, std::uint32_t shards,
                           std::int64_t retention_ms = store::kDefaultRetentionMs) {
    store::StreamMeta meta;
    env.write([&](const store::Txn& txn) { meta = store::create_stream(txn, name, shards, retention_ms, 1000); });
    return meta;
  }

  // Runs body(const Txn&) in a read transaction.
  template <class Body>
  void read(Body&& body) {
    store::ReadTxn txn(env);
    body(txn.renew());
  }

  store::StreamMeta stream(std::string_view name) {
    store::StreamMeta meta;
    read([&](const store::Txn& txn) { meta = store::stream_or_throw(txn, name); });
    return meta;
  }

  std::vector<store::ShardMeta> shards(std::uint32_t stream_id) {
    std::vector<store::ShardMeta> shards;
    read([&](const store::Txn& txn) { shards = store::load_shards(txn, stream_id); });
    return shards;
  }

  // Every record of a shard, from its first, in order.
  std::vector<StoredRecord> records(std::uint32_t stream_id, std::uint32_t shard) {
    std::vector<StoredRecord> out;
    read([&](const store::Txn& txn) {
      store::ShardCursor cursor(txn, stream_id, shard);
      for (bool ok = cursor.seek(0); ok; ok = cursor.next()) {
        const store::Record& r = cursor.record();
        out.push_back({r.position.counter, r.arrival_ms, std::string(r.partition_key), std::string(r.data), r.json});
      }
    });
    return out;
  }

  TempDir dir;
  store::Env env;
  store::Notifier notifier;
};

}  // namespace millrace::test
