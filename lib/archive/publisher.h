// Publisher: objects, ended (object_stream.h), made visible (bucket.h's publish()) on a thread
// of its own, while the caller goes on reading and compressing records.
//
// Why a thread: an object is complete once zstd's last jobs for it are done, and durable after
// two fsyncs, its file's and its directory's, each taking milliseconds (about 4 ms each on this
// project's machine), which a run of 5 MiB objects would otherwise wait for one after another.
// Objects that wait together are published together, up to 32 at a time, their fsyncs
// concurrent.
//
// Memory: the objects waiting, each a descriptor and until its last step is done a compressor;
// the caller waits while 64 do.
//
// An error (an object that cannot be created, a failed write, fsync or rename) stops the
// thread; the caller's next call throws it. One caller thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "archive/bucket.h"
#include "archive/object_stream.h"

namespace millrace::archive {

class Publisher {
 public:
  struct Published {
    std::uint64_t id;            // as publish() returned it
    std::uint64_t lines, bytes;  // uncompressed, as written
  };

  Publisher(Bucket& bucket, bool sync);
  // Stops the thread: objects not published by then are not, as in a crash.
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Publishes `object`, ended, as the object `key`; returns its id. Waits first while too many
  // objects wait.
  std::uint64_t publish(std::string key, ObjectStream object);
  // The objects published since the last call, durably with `sync`.
  std::vector<Published> published();
  // Waits until every object handed over is published.
  void drain();

 private:
  struct Waiting {
    std::uint64_t id;
    std::string key;
    ObjectStream object;
  };
  void loop();
  // Throws the error that stopped the thread, if any. REQUIRES: mutex_ held.
  void check() const;

  Bucket& bucket_;
  const bool sync_;

  std::mutex mutex_;
  std::condition_variable changed_;  // any change of what follows
  std::uint64_t next_id_ = 0;
  std::deque<Waiting> waiting_;
  std::size_t unpublished_ = 0;  // handed over, not yet published
  std::vector<Published> published_;
  std::exception_ptr error_;
  bool stop_ = false;

  std::thread thread_;
};

}  // namespace millrace::archive
