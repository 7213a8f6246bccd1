#include "stream/consume_store.h"

#include <optional>

#include "aws/kinesis_client.h"
#include "cli/error.h"
#include "store/notify.h"
#include "stream/endpoint_group.h"

namespace millrace::stream {

bool has_handler(const ExecOptions& exec) { return !exec.command.empty() || exec.function.has_value(); }

std::uint64_t consume_store(const aws::StoreSpec& store, store::Sync sync, const ConsumeOptions& options,
                            const ExecOptions& exec, lines::Writer& out) {
  if (store.remote()) {
    if (options.source.group && options.checkpointing == Checkpointing::downstream)
      throw cli::Error(cli::Exit::unavailable, store.text,
                       "--checkpoint downstream on an endpoint is still to come (the checkpoint with the items, "
                       "in one DynamoDB transaction); checkpoint after each poll instead");
    std::optional<EndpointGroup> group;
    if (options.source.group) group.emplace(store, options);
    if (has_handler(exec)) return consume_exec(store, group ? &*group : nullptr, options, exec);
    aws::KinesisClient kinesis(store);
    return consume(kinesis, group ? &*group : nullptr, options, out);
  }
  store::Env env(store.text, store::Access::read, sync);
  store::Notifier notifier(env.dir());
  return has_handler(exec) ? consume_exec(env, notifier, options, exec) : consume(env, notifier, options, out);
}

}  // namespace millrace::stream
