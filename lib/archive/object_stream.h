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
// compressed in one call, its size known to zstd from the start. First steps are of 128 to
// 256 KiB, spread by the stream's sequence number: partitions that fill at the same pace (as
// Wild Rydes' unicorns do) would otherwise all step at once, more steps than the workers take
// while the reading thread goes on, then none for a while. (Measured with 200 partitions and
// 8 steps let wait: the reading thread compressed 230 of 800 steps itself, 100 with the first
// steps spread.)
//
// Memory: a step of lines (or one line, when it is longer), and its steps waiting for a worker
// (the Workers bound those of all streams); from the first step on, a compressor (none without
// compression) and a descriptor. One thread calls it, but take_draft(), which another may call
// once it ended.
#pragma once

#include <algorithm>
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
  // `sequence`, the stream's number in the run, staggers its first step (below).
  ObjectStream(Bucket& bucket, CompressorPool* compressors, FrameCompressor::Kind kind, Workers* workers,
               std::uint64_t sequence = 0);
  ObjectStream(ObjectStream&&) = default;
  ObjectStream& operator=(ObjectStream&&) = default;
  // Waits for its tasks on the workers (after an error elsewhere).
  ~ObjectStream();

  // Adds `bytes` of lines. Throws what the draft's writes throw (bucket.h), also those of an
  // earlier step on a worker.
  void add(std::string_view bytes) {
    if (staged_.size() + bytes.size() < std::min(staged_.capacity(), step_bytes_)) {
      lines_ += bytes.size();
      staged_.append(bytes);
    } else {
      add_to_next_step(bytes);
    }
  }
  // Adds the line `line` and its newline.
  void add_line(std::string_view line) {
    add(line);
    add("\n");
  }
  // The bytes of lines added.
  std::uint64_t lines() const { return lines_; }
  // Ends the object: its last step begins. REQUIRES: not ended.
  void end();
  // The object's draft, complete, once its last step is done. REQUIRES: ended.
  Bucket::Draft take_draft();

 private:
  // What the steps write to: on the heap, as a worker holds it while the stream moves.
  struct Output {
    Bucket* bucket;
    CompressorPool* compressors;
    FrameCompressor::Kind kind;
    std::optional<Bucket::Draft> draft;
    std::unique_ptr<FrameCompressor> compressor;
    Workers::Pending pending;

    // Makes the draft, and takes a compressor, at the first step (on the thread of the step, as
    // making a file can take a while: ext4 skips the inodes of files deleted a moment before).
    void start();
    void add(std::string_view lines);
    // Ends the frame with `lines`, the last, and gives the compressor back.
    void end(std::string_view lines);
  };
  static constexpr std::size_t kStepBytes = 256 << 10;

  // add() when `bytes` fill the step, or the staged lines' capacity.
  void add_to_next_step(std::string_view bytes);
  void step();

  Workers* workers_;
  std::unique_ptr<Output> out_;
  std::string staged_;
  std::size_t step_bytes_;  // of the next step
  std::uint64_t lines_ = 0;
};

}  // namespace millrace::archive
