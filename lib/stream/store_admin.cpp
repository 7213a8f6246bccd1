#include "stream/store_admin.h"

#include "stream/admin_render.h"

namespace millrace::stream {

StoreAdmin::StoreAdmin(const std::filesystem::path& dir, store::Access access) : env_(dir, access) {}

void StoreAdmin::create(const std::string& name, std::uint32_t shards, std::int64_t retention_ms) {
  create_stream(env_, name, shards, retention_ms);
}

std::vector<StreamState> StoreAdmin::list() { return list_streams(env_); }

StreamState StoreAdmin::describe(const std::string& name) { return describe_stream(env_, name); }

void StoreAdmin::set_retention(const std::string& name, std::int64_t retention_ms) {
  stream::set_retention(env_, name, retention_ms);
}

std::vector<std::uint32_t> StoreAdmin::split(const std::string& name, std::uint32_t shard, std::optional<store::HashKey> at) {
  return split_shard(env_, name, shard, at);
}

std::vector<std::uint32_t> StoreAdmin::merge(const std::string& name, std::uint32_t shard, std::uint32_t adjacent) {
  return merge_shards(env_, name, shard, adjacent);
}

std::vector<std::uint32_t> StoreAdmin::scale(const std::string& name, std::uint32_t count) {
  return scale_stream(env_, name, count);
}

std::uint64_t StoreAdmin::trim(const std::string& name, const RemovalProgress& progress) {
  return trim_stream(env_, name, progress);
}

void StoreAdmin::remove(const std::string& name, const RemovalProgress& progress) { delete_stream(env_, name, progress); }

std::string StoreAdmin::incoming_last_hour(const StreamState& state, lines::EpochMs now, int columns, metrics::Glyphs glyphs) {
  return stream::incoming_last_hour(env_, state, now, columns, glyphs);
}

}  // namespace millrace::stream
