#include "stream/put_target.h"

#include "aws/kinesis_client.h"
#include "store/streams.h"
#include "stream/admin.h"

namespace millrace::stream {

PutTarget::PutTarget(const aws::StoreSpec& store, std::string stream, store::Sync sync,
                     std::optional<std::uint32_t> create_shards)
    : store_(store), stream_(std::move(stream)) {
  if (store.remote()) {
    if (create_shards) created_ = aws::KinesisClient(store).create_stream(stream_, *create_shards);
    return;
  }
  if (!create_shards && !store::Env::exists(store.text)) throw store::no_such_stream(stream_);
  env_.emplace(store.text, create_shards ? store::Access::write : store::Access::read, sync);
  if (create_shards) created_ = ensure_stream(*env_, stream_, *create_shards);
  notifier_.emplace(env_->dir());
}

IngestStats PutTarget::put(lines::Reader& reader, PutParser& parser, OnError on_error, lines::Writer* print,
                           const std::string& explicit_hash_key) {
  if (env_) return ingest(*env_, *notifier_, stream_, reader, parser, on_error, print);
  return ingest(store_, stream_, reader, parser, on_error, print, explicit_hash_key);
}

}  // namespace millrace::stream
