#include "window/pipeline.h"

#include <algorithm>

namespace millrace::window {

Pipeline::Pipeline(const LineParser& parser, std::size_t workers, std::size_t depth) : depth_(depth), helper_(parser) {
  workers_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back(&Pipeline::work, this, parser);
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

std::size_t Pipeline::default_workers() {
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());  // 0: unknown
  return std::min(cores - 1, kMaxWorkers);
}

std::unique_ptr<Batch> Pipeline::fresh_batch() {
  if (spare_.empty()) return std::make_unique<Batch>();
  std::unique_ptr<Batch> batch = std::move(spare_.back());
  spare_.pop_back();
  return batch;
}

bool Pipeline::submit(lines::Reader& reader) {
  std::unique_ptr<Batch> batch = fresh_batch();
  batch->lines.clear();
  batch->block = reader.block();
  while (auto line = reader.next()) batch->lines.push_back(*line);
  if (batch->lines.empty()) {
    spare_.push_back(std::move(batch));
    return false;
  }
  reader.exchange_buffer(batch->buffer);
  // The lines of one fill() come from one file; the reader's name of it changes with the next.
  batch->file.assign(batch->lines.front().file);
  for (lines::Line& line : batch->lines) line.file = batch->file;
  batch->failure = nullptr;
  batch->parsed_all = false;
  {
    std::lock_guard lock(mutex_);
    todo_.push_back(batch.get());
  }
  work_ready_.notify_one();
  queue_.push_back(std::move(batch));
  return true;
}

const Batch& Pipeline::take() {
  if (taken_) spare_.push_back(std::move(taken_));
  Batch& oldest = *queue_.front();
  // Rather than wait, this thread parses what no worker has started yet: so the machine's
  // cores are busy with as many threads as it has.
  for (;;) {
    Batch* todo;
    {
      std::unique_lock lock(mutex_);
      if (todo_.empty() || oldest.parsed_all) {
        batch_parsed_.wait(lock, [&] { return oldest.parsed_all; });
        break;
      }
      todo = todo_.front();
      todo_.pop_front();
    }
    parse(*todo, helper_);
  }
  taken_ = std::move(queue_.front());
  queue_.pop_front();
  if (taken_->failure) std::rethrow_exception(taken_->failure);
  return *taken_;
}

void Pipeline::work(LineParser parser) {
  for (;;) {
    Batch* batch;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !todo_.empty(); });
      if (stopping_) return;
      batch = todo_.front();
      todo_.pop_front();
    }
    parse(*batch, parser);
  }
}

void Pipeline::parse(Batch& batch, LineParser& parser) {
  // An exception cannot cross threads by itself: what parsing throws (only std::bad_alloc can
  // be) is kept with the batch, and take() rethrows it on the thread that runs the program.
  try {
    std::size_t count = batch.lines.size();
    batch.arena.clear();
    batch.parsed.resize(count);
    batch.values.resize(count * parser.projection().value_count());
    parser.parse_all(batch.block, batch.lines, batch.arena, batch.parsed.data(), batch.values.data());
  } catch (...) {
    batch.failure = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    batch.parsed_all = true;
  }
  batch_parsed_.notify_one();
}

}  // namespace millrace::window
