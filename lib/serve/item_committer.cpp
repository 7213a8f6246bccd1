#include "serve/item_committer.h"

#include <pthread.h>

#include "aws/validate.h"

namespace millrace::serve {

ItemCommitter::ItemCommitter(store::Env& env) : env_(env), thread_([this] { run(); }) {}

ItemCommitter::~ItemCommitter() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void ItemCommitter::submit(ItemWrite write) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(write));
  }
  ready_.notify_one();
}

void ItemCommitter::run() {
  pthread_setname_np(pthread_self(), "items");
  std::vector<ItemWrite> taken;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return !queue_.empty() || done_; });
      if (queue_.empty()) return;
      taken.swap(queue_);
    }
    commit(taken);
    taken.clear();
  }
}

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
