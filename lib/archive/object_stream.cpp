#include "archive/object_stream.h"

#include <algorithm>
#include <utility>

namespace millrace::archive {
namespace {

constexpr std::size_t kStepBytes = 256 << 10;

}  // namespace

ObjectStream::ObjectStream(Bucket& bucket, CompressorPool* compressors, FrameCompressor::Kind kind, Workers* workers)
    : bucket_(&bucket),
      compressors_(compressors),
      kind_(kind),
      workers_(compressors != nullptr ? workers : nullptr),  // uncompressed, nothing to hand over
      out_(std::make_unique<Output>()) {}

ObjectStream::~ObjectStream() {
  if (out_ && workers_ != nullptr) {
    try {
      workers_->wait(out_->pending);
    } catch (...) {  // the error was reported by the call that ended the run
    }
  }
}

void ObjectStream::add(std::string_view bytes) {
  lines_ += bytes.size();
  if (!staged_.empty() && staged_.size() + bytes.size() > kStepBytes) step();
  // Grown by doubling as a string would, but not past a step (unless for one longer line).
  if (staged_.size() + bytes.size() > staged_.capacity())
    staged_.reserve(std::max(staged_.size() + bytes.size(), std::min(kStepBytes, 2 * staged_.capacity())));
  staged_.append(bytes);
  if (staged_.size() >= kStepBytes) step();
}

void ObjectStream::start() {
  if (!out_->draft) out_->draft = bucket_->draft();
  if (compressors_ != nullptr && !out_->compressor) out_->compressor = compressors_->take(kind_);
}

void ObjectStream::step() {
  start();
  Output& out = *out_;
  if (workers_ == nullptr || kind_ == FrameCompressor::Kind::parallel) {
    if (out.compressor) {
      out.compressor->add(staged_, [&](std::string_view bytes) { out.write(bytes); });
    } else {
      out.write(staged_);
    }
    staged_.clear();
    return;
  }
  workers_->wait(out.pending);  // the step before: one at a time, in order
  workers_->post(out.pending, [&out, lines = std::move(staged_)] {
    out.compressor->add(lines, [&](std::string_view bytes) { out.write(bytes); });
  });
  staged_ = std::string();
  staged_.reserve(kStepBytes);  // an object this large fills more steps
}

void ObjectStream::end() {
  start();
  auto last = [&out = *out_, compressors = compressors_](std::string_view lines) {
    if (!out.compressor) return out.write(lines);
    std::string_view header = out.compressor->end(lines, [&](std::string_view bytes) { out.write(bytes); });
    if (!header.empty()) out.draft->write_at_start(header);
    compressors->give_back(std::move(out.compressor));
  };
  if (workers_ == nullptr) {
    last(staged_);
  } else {
    workers_->wait(out_->pending);
    workers_->post(out_->pending, [last, lines = std::move(staged_)] { last(lines); });
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
