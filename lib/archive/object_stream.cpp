#include "archive/object_stream.h"

#include <algorithm>
#include <utility>

namespace millrace::archive {

namespace {

// Half a step and a fraction of another half, the fractions of successive sequence numbers
// spread evenly (Fibonacci hashing: 40503 / 65536 is close to the golden ratio's fraction).
std::size_t first_step_bytes(std::size_t step_bytes, std::uint64_t sequence) {
  std::uint64_t fraction = (sequence * 40503) & 0xFFFF;
  return step_bytes / 2 + static_cast<std::size_t>(step_bytes / 2 * fraction / 0x10000);
}

}  // namespace

ObjectStream::ObjectStream(Bucket& bucket, CompressorPool* compressors, FrameCompressor::Kind kind, Workers* workers,
                           std::uint64_t sequence)
    : workers_(compressors != nullptr ? workers : nullptr),  // uncompressed, nothing to hand over
      out_(std::make_unique<Output>(Output{&bucket, compressors, kind, {}, {}, {}})),
      step_bytes_(first_step_bytes(kStepBytes, sequence)) {}

ObjectStream::~ObjectStream() {
  if (out_ && workers_ != nullptr) {
    try {
      workers_->wait(out_->pending);
    } catch (...) {  // the error was reported by the call that ended the run
    }
  }
}

void ObjectStream::Output::start() {
  if (!draft) draft = bucket->draft();
  if (compressors != nullptr && !compressor) compressor = compressors->take(kind);
}

void ObjectStream::Output::add(std::string_view lines) {
  start();
  if (!compressor) return draft->write(lines);
  compressor->add(lines, [this](std::string_view bytes) { draft->write(bytes); });
}

void ObjectStream::Output::end(std::string_view lines) {
  start();
  if (!compressor) return draft->write(lines);
  std::string_view header = compressor->end(lines, [this](std::string_view bytes) { draft->write(bytes); });
  if (!header.empty()) draft->write_at_start(header);
  compressors->give_back(std::move(compressor));
}

void ObjectStream::add_to_next_step(std::string_view bytes) {
  lines_ += bytes.size();
  if (!staged_.empty() && staged_.size() + bytes.size() > step_bytes_) step();
  // Grown by doubling as a string would, but not past a step (unless for one longer line).
  if (staged_.size() + bytes.size() > staged_.capacity())
    staged_.reserve(std::max(staged_.size() + bytes.size(), std::min(kStepBytes, 2 * staged_.capacity())));
  staged_.append(bytes);
  if (staged_.size() >= step_bytes_) step();
}

void ObjectStream::step() {
  step_bytes_ = kStepBytes;
  Output& out = *out_;
  if (workers_ == nullptr || out.kind == FrameCompressor::Kind::parallel) {
    out.add(staged_);
    staged_.clear();
    return;
  }
  workers_->post(out.pending, [&out, lines = std::move(staged_)] { out.add(lines); });
  staged_ = std::string();
  staged_.reserve(kStepBytes);  // an object this large fills more steps
}

void ObjectStream::end() {
  Output& out = *out_;
  if (workers_ == nullptr) {
    out.end(staged_);
  } else {
    workers_->post(out.pending, [&out, lines = std::move(staged_)] { out.end(lines); });
  }
  staged_ = std::string();
}

Bucket::Draft ObjectStream::take_draft() {
  if (workers_ != nullptr) workers_->wait(out_->pending);
  Bucket::Draft draft = std::move(*out_->draft);
  out_->draft.reset();
  return draft;
}

}  // namespace millrace::archive
