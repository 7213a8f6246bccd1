// ObjectStream: an object being written, its lines compressed as they come into a draft of the
// bucket (bucket.h), so that memory holds a step of lines and a compressor, never the object.
//
// Lines gather in steps of 256 KiB; each full step goes to the compressor (compress.h, taken
// from the pool at the first step, given back once the object ends), whose output goes to the
// draft (made at the first step). A single compressor's steps run on the Workers (workers.h),
// one at a time and in order, while the caller gathers the next; a parallel compressor's run on
// the caller's thread, zstd's threads doing the work, but its end (waiting for zstd's last
// jobs) runs on the Workers too, so that the caller goes on with the next object meanwhile.
// Steps that large let a compressor work with its tables in the cache even when objects of many
// partitions take turns: measured with 200 partitions of Wild Rydes lines, steps of 32 KiB took
// 1.4 times the CPU of steps of 256 KiB. An object that ends within its first step is
// compressed in one call, its size known to zstd from the start.
//
// Memory: a step of lines (or one line, when it is longer), and while a step is compressed on
// a worker, that step too; from the first step on, a compressor (none without compression) and
// a descriptor. One thread calls it, but take_draft(), which another may call once it ended.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "archive/bucket.h"
#include "archive/compress.h"
#include "archive/workers.h"

namespace millrace::archive {

class ObjectStream {
 public:
  // `compressors` null: the object holds its lines as they are. `workers` null: everything on
  // the caller's thread. REQUIRES: `bucket`, `compressors` and `workers` outlive it.
  ObjectStream(Bucket& bucket, CompressorPool* compressors, FrameCompressor::Kind kind, Workers* workers);
  ObjectStream(ObjectStream&&) = default;
  ObjectStream& operator=(ObjectStream&&) = default;
  // Waits for its tasks on the workers (after an error elsewhere).
  ~ObjectStream();

  // Adds `bytes` of lines. Throws what the draft's writes throw (bucket.h), also those of an
  // earlier step on a worker.
  void add(std::string_view bytes);
  // The bytes of lines added.
  std::uint64_t lines() const { return lines_; }
  // Ends the object: its last step begins. REQUIRES: not ended.
  void end();
  // The object's draft, complete, once its last step is done. REQUIRES: ended.
  Bucket::Draft take_draft();

 private:
  // What the steps write to: on the heap, as a worker holds it while the stream moves.
  struct Output {
    std::optional<Bucket::Draft> draft;
    std::unique_ptr<FrameCompressor> compressor;
    Workers::Pending pending;
    void write(std::string_view bytes) { draft->write(bytes); }
  };
  void step();
  // Starts the draft, and takes a compressor, when this is the first step.
  void start();

  Bucket* bucket_;
  CompressorPool* compressors_;
  FrameCompressor::Kind kind_;
  Workers* workers_;
  std::unique_ptr<Output> out_;
  std::string staged_;
  std::uint64_t lines_ = 0;
};

}  // namespace millrace::archive
