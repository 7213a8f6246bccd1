#include "serve/record_committer.h"

namespace millrace::serve {

RecordCommitter::RecordCommitter(store::Env& env, store::Notifier& notifier)
    : env_(env), notifier_(notifier), queue_("commit", [this](std::vector<RecordBatch>& taken) { commit(taken); }) {}

void RecordCommitter::commit(std::vector<RecordBatch>& taken) {
  // One append per stream, of every batch of that stream in the order they came.
  std::map<std::string_view, std::vector<RecordBatch*>> by_stream;
  for (RecordBatch& batch : taken) by_stream[batch.stream].push_back(&batch);
  std::vector<store::Put> puts;
  std::vector<store::Position> placed, part;
  for (auto& [stream, batches] : by_stream) {
    puts.clear();
    for (RecordBatch* batch : batches) puts.insert(puts.end(), batch->puts.begin(), batch->puts.end());
    std::exception_ptr failure;
    try {
      auto& producer = producers_[std::string(stream)];
      if (!producer) producer = std::make_unique<store::Producer>(env_, notifier_, std::string(stream));
      auto& recorded = stream_metrics_[std::string(stream)];
      if (!recorded) recorded = std::make_unique<metrics::StreamPuts>(recorder_, std::string(stream));
      const std::vector<RecordBatch*>& requests = batches;  // a lambda may not capture a structured binding (clang)
      recorded->append(*producer, puts, placed, [&](lines::EpochMs now) { record_requests(requests, now); });
    } catch (...) {
      failure = std::current_exception();
      producers_.erase(std::string(stream));  // the stream may be made again: look it up anew
    }
    std::size_t at = 0;
    for (RecordBatch* batch : batches) {
      if (!failure) part.assign(placed.begin() + static_cast<std::ptrdiff_t>(at),
                                placed.begin() + static_cast<std::ptrdiff_t>(at + batch->puts.size()));
      at += batch->puts.size();
      batch->done(failure ? std::vector<store::Position>{} : part, failure);
    }
  }
}

void RecordCommitter::record_requests(const std::vector<RecordBatch*>& batches, lines::EpochMs now) {
  for (const RecordBatch* batch : batches) {
    std::uint64_t bytes = 0;
    for (const store::Put& put : batch->puts) bytes += put.data.size();
    switch (batch->operation) {
      case RecordBatch::Operation::route: break;
      case RecordBatch::Operation::put_record:
        request_metrics_.put_record(batch->stream, bytes, batch->received, now);
        break;
      case RecordBatch::Operation::put_records:
        request_metrics_.put_records(batch->stream, batch->puts.size() + batch->throttled, batch->throttled, bytes,
                                     batch->received, now);
        break;
    }
  }
}

}  // namespace millrace::serve
