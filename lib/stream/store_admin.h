// StoreAdmin: StreamsAdmin on a store directory, stream/admin.h's engine in one LMDB
// environment.
#pragma once

#include "stream/streams_admin.h"

namespace millrace::stream {

class StoreAdmin final : public StreamsAdmin {
 public:
  StoreAdmin(const std::filesystem::path& dir, store::Access access);

  bool counts() const override { return true; }
  void create(const std::string& name, std::uint32_t shards, std::int64_t retention_ms) override;
  std::vector<StreamState> list() override;
  StreamState describe(const std::string& name) override;
  void set_retention(const std::string& name, std::int64_t retention_ms) override;
  std::vector<std::uint32_t> split(const std::string& name, std::uint32_t shard, std::optional<store::HashKey> at) override;
  std::vector<std::uint32_t> merge(const std::string& name, std::uint32_t shard, std::uint32_t adjacent) override;
  std::vector<std::uint32_t> scale(const std::string& name, std::uint32_t count) override;
  std::uint64_t trim(const std::string& name, const RemovalProgress& progress) override;
  void remove(const std::string& name, const RemovalProgress& progress) override;
  std::string incoming_last_hour(const StreamState& state, lines::EpochMs now, int columns, metrics::Glyphs glyphs) override;

 private:
  store::Env env_;
};

}  // namespace millrace::stream
