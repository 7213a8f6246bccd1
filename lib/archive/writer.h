// ObjectWriter: objects compressed and written to the bucket on threads of their own, while the
// caller goes on reading and parsing records.
//
// The caller hands over an object's key and lines. A compressing thread per core (each with a
// zstd context reused for object after object) compresses whole objects, and a writing thread
// writes them to the bucket in batches (bucket.h), and reports them written to the caller.
//
// Why whole objects: a frame compressed in steps as its lines come needs a context per open
// partition, and with many partitions the steps alternate between contexts whose tables (768
// KiB each at level 3) are never in the cache: measured on 200 partitions of Wild Rydes lines,
// 128 KiB steps took 1.02 s of CPU, the same objects compressed whole one after another 0.35 s.
// A compressing thread per core compresses the objects that close together (every partition
// at the end of the input) in parallel instead.
//
// Memory: the lines of the objects waiting for compression (the caller waits while they pass
// 32 MiB), and the compressed objects waiting for the disk (the compressing threads wait while
// they pass 64 MiB); a few lines buffers kept for the next objects.
//
// An error of a thread (a failed write, an object that cannot be created) stops them all; the
// caller's next call throws it. One caller thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "archive/bucket.h"
#include "archive/compress.h"
#include "archive/object_name.h"

namespace millrace::archive {

class ObjectWriter {
 public:
  struct Written {
    std::uint64_t id;  // as write() returned it
    std::size_t lines, bytes;  // uncompressed, as written
  };

  // REQUIRES: `level` valid for zstd.
  ObjectWriter(Bucket& bucket, Compression compression, int level, bool sync);
  // Stops the threads: objects not written by then are not, as in a crash.
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // Writes `lines` as the object `key` (beneath the bucket); returns the object's id. Waits
  // first while too many lines wait for compression.
  std::uint64_t write(std::string key, std::string lines);
  // An empty string for an object's lines, with room for `bytes`: the buffer of an object
  // written, when one is kept (its pages are already mapped), or a new one.
  std::string lines_buffer(std::size_t bytes);
  // The objects written since the last call, durably with `sync`.
  std::vector<Written> written();
  // Waits until every object handed over is written.
  void drain();

 private:
  struct Object {
    std::uint64_t id;
    std::string key;
    std::size_t size;  // of its lines
    std::string lines, compressed;
  };
  void compress_loop();
  void write_loop();
  // Records the error of a thread, and stops them all.
  void fail(std::exception_ptr error);
  // Throws the error that stopped the threads, if any. REQUIRES: mutex_ held.
  void check() const;
  // Keeps the buffer of `lines`, emptied, for another object, unless enough are kept.
  // REQUIRES: mutex_ held.
  void keep_spare(std::string& lines);
  // The bytes written for `object`.
  std::string_view bytes(const Object& object) const;

  Bucket& bucket_;
  const Compression compression_;
  const int level_;
  const bool sync_;

  std::mutex mutex_;
  std::condition_variable changed_;  // any change of what follows
  std::uint64_t next_id_ = 0;
  std::deque<Object> to_compress_;
  std::size_t to_compress_bytes_ = 0;
  std::deque<Object> to_write_;
  std::size_t to_write_bytes_ = 0;
  std::size_t unwritten_ = 0;  // objects handed over, not yet written
  std::vector<Written> written_;
  std::vector<std::string> spare_lines_;
  std::exception_ptr error_;
  bool stop_ = false;

  std::vector<std::thread> compressors_;
  std::thread writer_;
};

}  // namespace millrace::archive
