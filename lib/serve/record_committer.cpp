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
      producer->append(puts, placed);
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

}  // namespace millrace::serve
