#include "serve/item_committer.h"

#include "aws/validate.h"

namespace millrace::serve {

ItemCommitter::ItemCommitter(store::Env& env)
    : env_(env), queue_("items", [this](std::vector<ItemWrite>& taken) { commit(taken); }) {}

void ItemCommitter::commit(std::vector<ItemWrite>& taken) {
  std::vector<std::exception_ptr> refused(taken.size());
  std::exception_ptr failure;
  lines::EpochMs now = lines::now_ms();
  try {
    env_.write([&](const store::Txn& txn) {
      for (std::size_t i = 0; i < taken.size(); ++i) {
        refused[i] = nullptr;
        try {
          taken[i].apply(txn, now);
        } catch (const aws::ApiError&) {
          refused[i] = std::current_exception();
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
