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
      workers_(workers),
      out_(std::make_unique<Output>()) {}

ObjectStream::~ObjectStream() {
  if (out_ && on_workers()) {
    try {
      workers_->wait(out_->pending);
    } catch (...) {  // the error was reported by the call that ended the run
    }
  }
}

bool ObjectStream::on_workers() const {
  return workers_ != nullptr && compressors_ != nullptr && kind_ == FrameCompressor::Kind::single;
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
  if (!on_workers()) {
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
  Output& out = *out_;
  auto last = [&out](std::string_view lines) {
    if (!out.compressor) return out.write(lines);
    std::string_view header = out.compressor->end(lines, [&](std::string_view bytes) { out.write(bytes); });
    if (!header.empty()) out.draft->write_at_start(header);
  };
  if (!on_workers()) {
    last(staged_);
    if (out.compressor) compressors_->give_back(std::move(out.compressor));
  } else {
    workers_->wait(out.pending);
    workers_->post(out.pending, [last, lines = std::move(staged_)] { last(lines); });
  }
  staged_ = std::string();
}

Bucket::Draft ObjectStream::take_draft() {
  if (on_workers()) {
    workers_->wait(out_->pending);
    compressors_->give_back(std::move(out_->compressor));
  }
  Bucket::Draft draft = std::move(*out_->draft);
  out_->draft.reset();
  return draft;
}

}  // namespace millrace::archive
