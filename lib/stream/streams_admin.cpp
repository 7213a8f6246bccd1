#include "stream/streams_admin.h"

#include "stream/endpoint_admin.h"
#include "stream/store_admin.h"

namespace millrace::stream {

std::string StreamsAdmin::incoming_last_hour(const StreamState&, lines::EpochMs, int, metrics::Glyphs) { return {}; }

std::unique_ptr<StreamsAdmin> open_streams_admin(const aws::StoreSpec& store, store::Access access) {
  if (store.remote()) return std::make_unique<EndpointAdmin>(store);
  return std::make_unique<StoreAdmin>(store.text, access);
}

}  // namespace millrace::stream
