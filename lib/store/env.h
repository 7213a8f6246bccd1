// Env: the store, one LMDB environment in one directory, shared by any number of processes.
//
// LMDB gives one writer at a time and readers that never block. Env adds what every program
// needs around it:
//   - the directory is created (mode 0700) on first write; a missing store on read is exit 69;
//   - any number of processes may create and open a store at once: it is initialised exactly
//     once, by whichever takes the creation lock first, and a store left half-made by a process
//     killed while making it (an empty or short data file, databases missing) is completed by
//     the next one that opens it, reader or writer, never refused;
//   - the map starts small and grows by itself: MDB_MAP_FULL from a put or from the commit
//     itself grows the map and runs the transaction's body again (Env::write);
//     MDB_MAP_RESIZED (another process grew it) adopts the new size and begins again; either
//     waits until no other thread of the process has a transaction open (store/map_guard.h);
//   - Sync::full fsyncs every commit; Sync::none skips fsync (a process crash loses nothing
//     committed, a machine crash may);
//   - an fsync or write error (EIO, ENOSPC) of a commit throws cli::Error(io) naming the store:
//     the program ends with 74 and the store stays at its previous commit. A failed fsync is
//     never retried: once a commit has failed, every write of the process throws the same
//     error before it begins (failure()), so that a server ending with 74 adds nothing to the
//     store on its way out.
// LMDB's own descriptors are close-on-exec, so a spawned process never inherits the store.
//
// One Env per process and store. Transactions are not shared between threads; with MDB_NOTLS a
// read transaction may be reset on one thread and renewed on another.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "cli/error.h"
#include "store/map_guard.h"

namespace millrace::store {

enum class Sync { full, none };
enum class Access { read, write };  // write: create the store when it is missing

// The named databases; see millrace(7) for their layout.
struct Dbs {
  MDB_dbi meta, streams, shards, records, groups;
  MDB_dbi tables, items, expiry, indexes;
  MDB_dbi archive;
  MDB_dbi metrics;  // CloudWatch's metrics, per minute (metrics/layout.h)
};

// Throws for an LMDB or errno code: MDB_MAP_FULL as MapFull (handled by Env::write), errno
// codes as std::system_error, a corrupt or foreign store as cli::Error(unavailable),
// MDB_READERS_FULL as cli::Error(temp_fail), anything else as std::runtime_error.
void check(int rc, std::string_view what);

struct MapFull {};

// A view of an open transaction: what the store's modules read and write through. It does not
// own the transaction: Env::write commits or aborts it, ReadTxn resets it.
class Txn {
 public:
  Txn(MDB_txn* txn, const Dbs& dbs) : txn_(txn), dbs_(&dbs) {}

  MDB_txn* get() const { return txn_; }
  const Dbs& dbs() const { return *dbs_; }

  std::optional<std::string_view> get(MDB_dbi dbi, std::string_view key) const;
  void put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0) const;
  // Reserves `size` bytes for the value under `key` and returns them, to be filled in place.
  char* reserve(MDB_dbi dbi, std::string_view key, std::size_t size) const;
  bool del(MDB_dbi dbi, std::string_view key) const;

 private:
  MDB_txn* txn_;
  const Dbs* dbs_;
};

// A cursor over one database within a transaction.
class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi dbi);
  ~Cursor() { mdb_cursor_close(cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // Positions at the first key >= `key`; false when there is none.
  bool seek(std::string_view key) { return key.empty() ? move({}, MDB_FIRST) : move(key, MDB_SET_RANGE); }
  bool next() { return move({}, MDB_NEXT); }
  bool last() { return move({}, MDB_LAST); }
  bool prev() { return move({}, MDB_PREV); }
  void del();  // deletes the current entry; next() then moves to the entry after it
  std::string_view key() const { return {static_cast<const char*>(key_.mv_data), key_.mv_size}; }
  std::string_view value() const { return {static_cast<const char*>(value_.mv_data), value_.mv_size}; }

 private:
  bool move(std::string_view key, MDB_cursor_op op);
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{}, value_{};
};

class Env {
 public:
  Env(std::filesystem::path dir, Access access, Sync sync = Sync::full);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // Whether `dir` holds a store (its data file), for a writer that will not create one.
  static bool exists(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  const Dbs& dbs() const { return dbs_; }
  MDB_env* get() const { return env_; }

  // Runs body(Txn&) in a write transaction and commits it. On MDB_MAP_FULL the map grows and
  // body runs again from the start, so body must not depend on state it changed outside the
  // transaction in an earlier run.
  template <class Body>
  void write(Body&& body) {
    if (failed_.load(std::memory_order_acquire)) throw *failure();
    for (;;) {
      MDB_txn* txn = begin(0);
      std::size_t map_size = map_size_;
      try {
        body(Txn(txn, dbs_));
      } catch (const MapFull&) {
        abort(txn);
        grow(map_size);
        continue;
      } catch (...) {
        abort(txn);
        throw;
      }
      int rc = commit(txn);
      if (rc == MDB_SUCCESS) return;
      if (rc != MDB_MAP_FULL) commit_failed(rc);
      grow(map_size);
    }
  }

  // The error of the first commit of this process that failed, if one did. Thread-safe.
  std::optional<cli::Error> failure() const;

  // Begins a transaction (flags 0 or MDB_RDONLY), adopting a map grown by another process; it
  // is ended by commit() or abort().
  MDB_txn* begin(unsigned flags);
  // Commits a transaction of begin(0) and returns LMDB's code; the transaction is ended whatever
  // it returns.
  int commit(MDB_txn* txn);
  void abort(MDB_txn* txn);

  // Frees the reader slots of processes that died, so they do not pin old pages forever.
  void check_readers();

  // Drops the map's pages from this process's resident set (they stay in the page cache), so a
  // reader that walks a large stream keeps a resident set of the size of what it reads at once,
  // not of the store. REQUIRES: no transaction of this process is active.
  void release_pages();
  // For a writer: counts `bytes` written, and releases the pages every 16 MiB written. Pages
  // that LMDB copied on write stay mapped, and the resident set would grow with the store.
  // REQUIRES: no transaction of this process is active.
  void wrote(std::uint64_t bytes);

 private:
  friend class ReadTxn;  // renews and resets its transaction inside map_guard_

  // Grows the map, unless another thread did since it was `seen_size`.
  void grow(std::size_t seen_size);
  // After MDB_MAP_RESIZED: maps as much as the process that grew the map recorded.
  void adopt_map_size();
  // Throws for a commit that failed with `rc`: a write error as cli::Error(io) naming the store,
  // "no space left on device" when the file system is full, whatever LMDB's code says; it
  // becomes failure().
  [[noreturn]] void commit_failed(int rc);
  // Opens the named databases in a transaction of `txn_flags`: read-only, it returns false when
  // the store is not whole yet (a database or the format is missing); 0, it creates what is
  // missing. Throws cli::Error(unavailable) for another program's environment or format.
  bool open_databases(unsigned txn_flags);

  std::filesystem::path dir_;
  MDB_env* env_ = nullptr;
  MapGuard map_guard_;
  std::size_t map_size_ = 0;  // changed only inside map_guard_.exclusive
  std::uint64_t unreleased_bytes_ = 0;
  Dbs dbs_{};
  std::atomic<bool> failed_{false};  // failure_ is set
  mutable std::mutex failure_mutex_;
  std::optional<cli::Error> failure_;
};

// A read transaction that is renewed for each poll and reset in between, so a long-running
// reader never pins old pages.
class ReadTxn {
 public:
  explicit ReadTxn(Env& env) : env_(env) {}
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  // Begins (or renews) a snapshot of the newest commit.
  Txn renew();
  // Ends the snapshot; the handle is kept for the next renew().
  void reset();

 private:
  Env& env_;
  MDB_txn* handle_ = nullptr;
  bool active_ = false;
};

}  // namespace millrace::store
