// StreamsAdmin: the administration of streams wherever they are, what ks-shard does: create,
// list, describe, retention, split, merge, scale, trim, delete. Two implementations: the store
// directory (stream/store_admin.h, the engine of stream/admin.h) and a Kinesis endpoint
// (stream/endpoint_admin.h, through the Kinesis API). Both return the same states, rendered once
// (stream/admin_render.h), and follow the same resharding rules (stream/reshard.h).
//
// What a backend cannot do is cli::Error(unavailable) naming the backend.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/store_spec.h"
#include "lines/time.h"
#include "metrics/canvas.h"
#include "store/env.h"
#include "store/hash_key.h"
#include "stream/admin.h"

namespace millrace::stream {

class StreamsAdmin {
 public:
  virtual ~StreamsAdmin() = default;

  // Whether the states given count records, bytes and groups (StreamState::counted).
  virtual bool counts() const = 0;

  // Throws cli::Error(cant_create) when the stream exists, cli::Error(usage) when shards or
  // retention are out of range.
  virtual void create(const std::string& name, std::uint32_t shards, std::int64_t retention_ms) = 0;
  virtual std::vector<StreamState> list() = 0;
  // Throws cli::Error(no_input) for a missing stream, as every operation on one.
  virtual StreamState describe(const std::string& name) = 0;
  virtual void set_retention(const std::string& name, std::int64_t retention_ms) = 0;
  // Resharding (stream/reshard.h); each returns the new open shards' indices.
  virtual std::vector<std::uint32_t> split(const std::string& name, std::uint32_t shard, std::optional<store::HashKey> at) = 0;
  virtual std::vector<std::uint32_t> merge(const std::string& name, std::uint32_t shard, std::uint32_t adjacent) = 0;
  virtual std::vector<std::uint32_t> scale(const std::string& name, std::uint32_t count) = 0;
  // Deletes the records older than the retention now; returns how many.
  virtual std::uint64_t trim(const std::string& name, const RemovalProgress& progress) = 0;
  virtual void remove(const std::string& name, const RemovalProgress& progress) = 0;
  // The stream's incoming records of the last hour for a terminal (admin_render.h's
  // incoming_last_hour), "" where the backend keeps no metrics.
  virtual std::string incoming_last_hour(const StreamState& state, lines::EpochMs now, int columns, metrics::Glyphs glyphs);
};

// The administration of the streams of `store`: a directory opened with `access`, or an endpoint.
std::unique_ptr<StreamsAdmin> open_streams_admin(const aws::StoreSpec& store, store::Access access);

}  // namespace millrace::stream
