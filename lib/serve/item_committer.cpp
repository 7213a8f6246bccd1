#include "serve/item_committer.h"

#include <algorithm>

#include "aws/validate.h"

namespace millrace::serve {

ItemCommitter::ItemCommitter(store::Env& env)
    : env_(env), queue_("items", [this](std::vector<ItemWrite>& taken) { commit(taken); }) {}

void ItemCommitter::commit(std::vector<ItemWrite>& taken) {
  std::vector<std::exception_ptr> refused(taken.size());
  std::exception_ptr failure;
  lines::EpochMs now = lines::now_ms();
  try {
    metrics::write(env_, &recorder_, [&](const store::Txn& txn) {
      for (std::size_t i = 0; i < taken.size(); ++i) {
        refused[i] = nullptr;
        usage_.tables.clear();
        try {
          taken[i].apply(txn, now, usage_);
        } catch (const aws::ApiError& e) {
          refused[i] = std::current_exception();
          if (e.type == "ConditionalCheckFailedException")
            for (const auto& [table, units] : usage_.tables) tables_.of(table).condition_failed(now);
          continue;
        }
        auto latency = static_cast<double>(std::max<lines::EpochMs>(0, now - taken[i].received));
        for (const auto& [table, units] : usage_.tables) {
          metrics::TableMetrics& recorded = tables_.of(table);
          recorded.consumed_write(units, now);
          recorded.latency(taken[i].operation, latency, now);
        }
      }
    });
    std::size_t bytes = 0;
    for (const ItemWrite& write : taken) bytes += write.bytes;
    env_.wrote(bytes);
  } catch (...) {
    failure = std::current_exception();
  }
  for (std::size_t i = 0; i < taken.size(); ++i) taken[i].done(failure ? failure : refused[i]);
}

}  // namespace millrace::serve
