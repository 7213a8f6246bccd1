// ItemCommitter: grouped commits of the DynamoDB API's writes from many connections at once
// (PutItem, DeleteItem, UpdateItem, BatchWriteItem, TransactWriteItems), as RecordCommitter
// groups the records of the Kinesis API (serve/record_committer.h).
//
// Each request is submitted as a write and a callback; the commit thread (serve/commit_queue.h)
// applies what is queued in one transaction, in the order submitted, then calls each request's
// callback once that commit is durable (with the Env's Sync). A lone request is committed at
// once; a thousand at once share one fsync.
//
// Callbacks run on the commit thread: they must only hand the answer on, never block. Each
// commit records the requests' metrics (metrics/dynamodb.h).
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lines/time.h"
#include "metrics/dynamodb.h"
#include "metrics/recorder.h"
#include "serve/commit_queue.h"
#include "store/env.h"

namespace millrace::serve {

// What a write consumed of each table it names, for the metrics (metrics/dynamodb.h): its
// apply starts from an empty one in each run, names each table before it may throw, and sets
// the table's write units (table/capacity.h) once the write is made.
struct WriteUsage {
  std::vector<std::pair<std::string, double>> tables;  // table name, write units
};

struct ItemWrite {
  // Applies the request in the commit's write transaction, at `now`, and keeps its answer. It
  // may run more than once for one commit (Env::write runs its body again after growing the
  // map), each time from what it was given. It throws aws::ApiError for an answer that is an
  // error (the table was deleted meanwhile, a condition failed, a transaction was cancelled)
  // before it writes anything: the other requests of the commit are applied all the same. Its
  // conditions read the items as the requests before it in the same commit left them.
  std::function<void(const store::Txn&, lines::EpochMs now, WriteUsage& usage)> apply;
  // Called once the commit is durable with nullptr, or with what apply threw (then nothing of
  // the request was written), or with the commit's failure (then nothing of it was).
  std::function<void(std::exception_ptr)> done;
  std::size_t bytes = 0;  // what the request writes, for Env::wrote
  std::string_view operation;   // "PutItem", ...: a literal
  lines::EpochMs received = 0;  // when it was decoded
};

class ItemCommitter {
 public:
  explicit ItemCommitter(store::Env& env);
  // Commits what is queued, then stops.
  ~ItemCommitter() = default;

  void submit(ItemWrite write) { queue_.submit(std::move(write)); }

 private:
  void commit(std::vector<ItemWrite>& taken);

  store::Env& env_;
  // The commit thread's.
  metrics::Recorder recorder_;
  metrics::TablesMetrics tables_{recorder_};
  WriteUsage usage_;
  CommitQueue<ItemWrite> queue_;  // last: its thread starts once the members above exist
};

}  // namespace millrace::serve
