// RecordCommitter: grouped commits of records put from many connections at once (PutRecord,
// PutRecords, the routes' POST).
//
// Each request is submitted with its records and a callback; a commit thread takes whatever is
// queued when it is free and appends it in one transaction per stream, in the order submitted,
// then calls each request's callback once that commit is durable (with the Env's Sync). So a
// thousand producers each waiting for their own record share one fsync, and a lone producer's
// record is committed as soon as it comes: the size of a commit follows the load, not a timer.
//
// Callbacks run on the commit thread: they must only hand the answer on (post it to the
// connection), never block. Each commit records the streams' metrics and the requests'
// (metrics/kinesis.h).
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lines/time.h"
#include "metrics/kinesis.h"
#include "metrics/recorder.h"
#include "serve/commit_queue.h"
#include "store/env.h"
#include "store/notify.h"
#include "store/records.h"

namespace millrace::serve {

struct RecordBatch {
  // The request, for its metrics (metrics/kinesis.h): a route's POST records only the stream's.
  enum class Operation { route, put_record, put_records };
  Operation operation = Operation::route;
  std::size_t throttled = 0;    // PutRecords' records refused before the commit
  lines::EpochMs received = 0;  // when it was decoded
  std::string stream;
  std::vector<store::Put> puts;
  std::shared_ptr<const void> bytes;  // what the puts' keys and data view, kept until `done`
  // Called once the records are durable, with where each went; or with the failure (a stream
  // that is not there, a commit that failed), and then none of them was put.
  std::function<void(const std::vector<store::Position>&, std::exception_ptr)> done;
};

class RecordCommitter {
 public:
  RecordCommitter(store::Env& env, store::Notifier& notifier);
  // Commits what is queued, then stops.
  ~RecordCommitter() = default;

  void submit(RecordBatch batch) { queue_.submit(std::move(batch)); }

 private:
  void commit(std::vector<RecordBatch>& taken);
  // Adds the metrics of the requests of `batches`, committed at `now`.
  void record_requests(const std::vector<RecordBatch*>& batches, lines::EpochMs now);

  store::Env& env_;
  store::Notifier& notifier_;
  // The commit thread's.
  std::map<std::string, std::unique_ptr<store::Producer>> producers_;
  metrics::Recorder recorder_;
  std::map<std::string, std::unique_ptr<metrics::StreamPuts>> stream_metrics_;
  metrics::PutRequests request_metrics_{recorder_};
  CommitQueue<RecordBatch> queue_;  // last: its thread starts once the members above exist
};

}  // namespace millrace::serve
