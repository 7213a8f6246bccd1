// MapGuard: the threads of one process agree on when the store's map may move.
//
// LMDB maps the data file once per process. Growing the map, or adopting a size another process
// grew it to (mdb_env_set_mapsize), unmaps it and maps it again, possibly elsewhere: a
// transaction of another thread that is reading at that moment reads freed memory. LMDB leaves
// it to the caller to remap only while no transaction of the process is open. So every
// transaction is begun inside the guard (enter) and ended by leaving it, and a remap waits until
// no other thread is inside, holding back the threads that would begin one meanwhile.
//
// A thread already inside (a read transaction open while it begins another) enters again
// without waiting: holding it back would wait for itself. Such a thread must not remap while its
// read transaction is open; Env remaps only after its own write transaction has ended, and the
// callers keep no read transaction open across a write.
//
// Entering costs two atomic operations and no lock while nobody remaps.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace millrace::store {

class MapGuard {
 public:
  // Before a transaction begins: waits while another thread remaps.
  void enter();
  // After the transaction ended (committed, aborted, reset, or refused by LMDB).
  void leave();

  // Runs remap() while no other thread of the process is inside; one remap at a time. remap
  // should check first whether the map still needs to move: another thread may have moved it
  // while this one waited.
  template <class Remap>
  void exclusive(Remap&& remap) {
    std::lock_guard one_at_a_time(remap_mutex_);
    hold_back();
    try {
      remap();
    } catch (...) {
      let_in();
      throw;
    }
    let_in();
  }

 private:
  void hold_back();  // sets remapping_ and waits until only this thread's own entries are inside
  void let_in();     // clears remapping_ and wakes the threads held back

  std::atomic<std::uint32_t> inside_{0};  // entries of every thread
  std::atomic<bool> remapping_{false};
  std::mutex remap_mutex_;
};

}  // namespace millrace::store
