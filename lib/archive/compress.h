// FrameCompressor: an object's lines compressed as they come, into one standard zstd frame
// (zstdcat, DuckDB's read_json and Athena read it as it is).
//
// The frame records its content size and an XXH64 checksum, as the zstd command does by
// default. zstd writes the content size into a frame's header only when it knows the size as the
// frame begins, which an object filled line by line does not: such a frame is given a header of
// its own, which end() returns with the size once it is known, for the caller to write over the
// frame's first bytes. (Its header is 14 bytes: magic, descriptor, window, 8 bytes of size.)
//
// Two kinds, each reused for frame after frame:
//   parallel  zstd's own worker threads compress jobs of 1 MiB while the caller goes on (the
//             level's window; about 10 MiB with 2 workers at level 3). For an object that takes
//             all the records.
//   single    the caller's thread compresses, with a window of at most 32 KiB and the level's
//             tables shrunk to it: 625 KiB at level 3, at most 1.1 MiB at level 19. For objects
//             of many partitions, one each. (With Wild Rydes partitioned by Name, the small
//             window compresses better and faster than the level's 2 MiB.)
// Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

struct ZSTD_CCtx_s;

namespace millrace::archive {

class FrameCompressor {
 public:
  // Where compressed bytes go, in order.
  using Output = std::function<void(std::string_view)>;
  enum class Kind { parallel, single };

  // REQUIRES: `level` within ZSTD_minCLevel()..ZSTD_maxCLevel(). A parallel compressor without
  // threads (a libzstd built without them, or one core) compresses on the caller's thread.
  FrameCompressor(Kind kind, int level);
  ~FrameCompressor();
  FrameCompressor(const FrameCompressor&) = delete;
  FrameCompressor& operator=(const FrameCompressor&) = delete;

  Kind kind() const { return kind_; }
  // Adds `lines` to the frame, which the first call after end() begins.
  void add(std::string_view lines, const Output& out);
  // Adds `lines`, the last ones, and ends the frame. Returns the bytes to write over the frame's
  // first bytes (its header with the content size), or nothing when its header has it already.
  // Throws std::runtime_error when zstd fails (it does not, for memory it could allocate).
  std::string_view end(std::string_view lines, const Output& out);
  // The bytes of the context (its window, tables and buffers) and of the output buffer.
  std::size_t memory() const;

 private:
  // Begins a frame, unless one is begun.
  void begin();
  void compress(std::string_view lines, bool last, const Output& out);
  // Passes the frame's first output on, with a header of ours in place of zstd's when zstd's
  // lacks the content size.
  void pass_first(std::string_view bytes, const Output& out);

  Kind kind_;
  ZSTD_CCtx_s* context_ = nullptr;
  std::unique_ptr<char[]> out_;
  std::size_t capacity_;
  bool begun_ = false;        // a frame is begun and not ended
  bool first_output_ = true;  // no byte of this frame was output yet
  bool own_header_ = false;   // the frame was given a header of ours
  std::uint64_t size_ = 0;    // content bytes of the frame
  std::array<char, 14> header_{};
};

// Workers for a parallel compressor: one per core, up to 4; 0 when libzstd has no threads.
int compression_workers();

// The compressors of a run, kept for the next objects once one is done with them: parallel
// compressors' threads and buffers live as long as the run (two, as one ends its frame while
// the next object fills the other), as do a few single ones. Thread-safe.
class CompressorPool {
 public:
  explicit CompressorPool(int level) : level_(level) {}
  std::unique_ptr<FrameCompressor> take(FrameCompressor::Kind kind);
  // REQUIRES: `compressor`'s frame ended.
  void give_back(std::unique_ptr<FrameCompressor> compressor);

 private:
  const int level_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<FrameCompressor>> idle_;
};

}  // namespace millrace::archive
