// CommitQueue: the commit thread of gw-serve's writers (serve/record_committer.h,
// serve/item_committer.h). Requests submitted from any thread are queued; the thread takes
// whatever is queued whenever it is free and hands it to `commit`, in the order submitted. So the
// size of a commit follows the load, not a timer: a lone request is committed at once, and the
// requests that arrive while a commit is being written share the next one.
//
// `commit` runs on the queue's thread only. The destructor commits what is queued, then joins.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace millrace::serve {

template <class Request>
class CommitQueue {
 public:
  using Commit = std::function<void(std::vector<Request>& taken)>;

  // `name` names the thread (top -H, perf): at most 15 characters.
  CommitQueue(const char* name, Commit commit) : name_(name), commit_(std::move(commit)), thread_([this] { run(); }) {}
  ~CommitQueue() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void submit(Request request) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(request));
    }
    ready_.notify_one();
  }

 private:
  void run() {
    pthread_setname_np(pthread_self(), name_);
    std::vector<Request> taken;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        taken.swap(queue_);
      }
      commit_(taken);
      taken.clear();
    }
  }

  const char* name_;
  Commit commit_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Request> queue_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace millrace::serve
