#include "store/env.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "cli/error.h"
#include "store/codec.h"

namespace millrace::store {
namespace {

// The on-disk format of the store. DO NOT CHANGE without a migration: a store of another
// format is refused (exit 69) rather than misread.
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::string_view kFormatKey = "format";

// A new map is small, so that opening works under `ulimit -v`; it doubles as it fills, and past
// 1 GiB grows by 1 GiB at a time so the address space stays close to the file's size.
constexpr std::size_t kInitialMapSize = 64ull << 20;
constexpr std::size_t kDoublingLimit = 1ull << 30;

// Enough named databases for the stream, table and archive modules.
constexpr MDB_dbi kMaxDbs = 16;
// Reader slots: one per reading process or thread (MDB_NOTLS); LMDB's default of 126 is low for
// many followers on one machine.
constexpr unsigned kMaxReaders = 1024;

}  // namespace

void check(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return;
  if (rc == MDB_MAP_FULL) throw MapFull{};
  if (rc > 0) throw std::system_error(rc, std::generic_category(), std::string(what));
  std::string message = fmt::format("{}: {}", what, mdb_strerror(rc));
  switch (rc) {
    case MDB_CORRUPTED:
    case MDB_PANIC:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      throw cli::Error(cli::Exit::unavailable, "", "store unusable: " + message);
    case MDB_READERS_FULL:
      throw cli::Error(cli::Exit::temp_fail, "", message);
    default:
      throw std::runtime_error(message);
  }
}

std::optional<std::string_view> Txn::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check(rc, "get");
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

void Txn::put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) const {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val v{value.size(), const_cast<char*>(value.data())};
  check(mdb_put(txn_, dbi, &k, &v, flags), "put");
}

char* Txn::reserve(MDB_dbi dbi, std::string_view key, std::size_t size) const {
  MDB_val k{key.size(), const_cast<char*>(key.data())}, v{size, nullptr};
  check(mdb_put(txn_, dbi, &k, &v, MDB_RESERVE), "put");
  return static_cast<char*>(v.mv_data);
}

bool Txn::del(MDB_dbi dbi, std::string_view key) const {
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "delete");
  return true;
}

Cursor::Cursor(const Txn& txn, MDB_dbi dbi) { check(mdb_cursor_open(txn.get(), dbi, &cursor_), "cursor"); }

bool Cursor::move(std::string_view key, MDB_cursor_op op) {
  if (op == MDB_SET_RANGE) key_ = MDB_val{key.size(), const_cast<char*>(key.data())};
  int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cursor");
  return true;
}

void Cursor::del() { check(mdb_cursor_del(cursor_, 0), "delete"); }

namespace {

// Held while a store is made or completed. Every process that finds the store missing, short
// (its data file has no meta pages yet) or without its databases takes it, so a store is
// initialised by one process at a time and exactly once; a process that finds a whole store
// never takes it. The lock is flock(2) on the store's directory: the kernel drops it when its
// holder dies, so a creator killed at any point leaves nothing held.
class CreationLock {
 public:
  explicit CreationLock(const std::filesystem::path& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw cli::Error(cli::Exit::cant_create, dir.string(), std::generic_category().message(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd_);
      throw cli::Error(cli::Exit::cant_create, dir.string(), "lock: " + std::generic_category().message(error));
    }
  }
  ~CreationLock() { ::close(fd_); }  // closing the last descriptor releases the lock
  CreationLock(const CreationLock&) = delete;
  CreationLock& operator=(const CreationLock&) = delete;

 private:
  int fd_ = -1;
};

// The size of the data file, or nullopt when there is none.
std::optional<std::uintmax_t> data_file_size(const std::filesystem::path& dir) {
  struct stat st;
  if (::stat((dir / "data.mdb").c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uintmax_t>(st.st_size);
}

// LMDB writes a new environment's two meta pages with one write before anything else, and a
// commit needs them: a data file shorter than two pages holds nothing that was ever committed.
// LMDB refuses such a file (MDB_INVALID), so it is emptied and made anew, under the lock.
std::uintmax_t meta_pages_size() { return 2 * static_cast<std::uintmax_t>(::sysconf(_SC_PAGESIZE)); }

}  // namespace

Env::Env(std::filesystem::path dir, Access access, Sync sync) : dir_(std::move(dir)) {
  auto size = data_file_size(dir_);
  if (!size && access == Access::read)
    throw cli::Error(cli::Exit::unavailable, dir_.string(), "no store here (nothing has been written yet)");
  if (!size) {
    std::error_code ec;
    std::filesystem::create_directories(dir_.parent_path().empty() ? "." : dir_.parent_path(), ec);
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
      throw cli::Error(cli::Exit::cant_create, dir_.string(), std::generic_category().message(errno));
  }
  // A store being made is opened under the creation lock: two processes that both find the
  // data file empty would each write a new environment's meta pages, the later over the
  // earlier's first commit.
  std::optional<CreationLock> lock;
  if (!size || *size < meta_pages_size()) {
    lock.emplace(dir_);
    size = data_file_size(dir_);
    if (size && *size < meta_pages_size() && ::truncate((dir_ / "data.mdb").c_str(), 0) != 0)
      throw cli::Error(cli::Exit::cant_create, dir_.string(), std::generic_category().message(errno));
  }
  check(mdb_env_create(&env_), "open store");
  try {
    check(mdb_env_set_maxdbs(env_, kMaxDbs), "open store");
    check(mdb_env_set_maxreaders(env_, kMaxReaders), "open store");
    check(mdb_env_set_mapsize(env_, kInitialMapSize), "open store");
    unsigned flags = MDB_NOTLS | (sync == Sync::none ? MDB_NOSYNC : 0);
    int rc = mdb_env_open(env_, dir_.c_str(), flags, 0600);
    if (rc == EACCES || rc == ENOENT || rc == EROFS)
      throw cli::Error(size ? cli::Exit::unavailable : cli::Exit::cant_create, dir_.string(),
                       std::generic_category().message(rc));
    check(rc, "open store " + dir_.string());
    MDB_envinfo info;
    check(mdb_env_info(env_, &info), "map size");
    map_size_ = info.me_mapsize;  // the data may be larger than the size asked for
    check_readers();

    if (!open_databases(MDB_RDONLY)) {  // made by an older millrace, or not finished
      if (!lock) lock.emplace(dir_);
      open_databases(0);
    }
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

bool Env::open_databases(unsigned txn_flags) {
  const std::pair<const char*, MDB_dbi*> databases[] = {
      {"meta", &dbs_.meta},     {"streams", &dbs_.streams}, {"shards", &dbs_.shards},
      {"records", &dbs_.records}, {"groups", &dbs_.groups},   {"tables", &dbs_.tables},
      {"items", &dbs_.items},   {"expiry", &dbs_.expiry},   {"archive", &dbs_.archive},
      {"indexes", &dbs_.indexes}, {"metrics", &dbs_.metrics}};
  bool writing = txn_flags == 0;
  MDB_txn* txn = begin(txn_flags);
  try {
    // The main database holds the names of the named ones, and nothing else in a millrace
    // store: a key that is not one of ours is another program's environment, never completed.
    MDB_dbi main_db;
    check(mdb_dbi_open(txn, nullptr, 0, &main_db), "open store");
    Cursor names(Txn(txn, dbs_), main_db);
    for (bool ok = names.seek(""); ok; ok = names.next()) {
      auto ours = [&](const auto& database) { return names.key() == database.first; };
      if (std::none_of(std::begin(databases), std::end(databases), ours))
        throw cli::Error(cli::Exit::unavailable, dir_.string(), "not a millrace store");
    }
    for (auto [name, dbi] : databases) {
      int rc = mdb_dbi_open(txn, name, writing ? MDB_CREATE : 0, dbi);
      if (rc == MDB_NOTFOUND) {
        abort(txn);
        return false;
      }
      check(rc, "open store");
    }
    Txn view(txn, dbs_);
    auto version = view.get(dbs_.meta, kFormatKey);
    if (!version && !writing) {
      abort(txn);
      return false;
    }
    if (!version) {
      std::string encoded;
      Encoder(encoded).u32(kFormatVersion);
      view.put(dbs_.meta, kFormatKey, encoded);
    } else if (Decoder(*version, "format").u32() != kFormatVersion) {
      throw cli::Error(cli::Exit::unavailable, dir_.string(),
                       fmt::format("store of another format (this millrace reads format {})", kFormatVersion));
    }
  } catch (...) {
    abort(txn);
    throw;
  }
  if (int rc = commit(txn); rc != MDB_SUCCESS) commit_failed(rc);
  return true;
}

bool Env::exists(const std::filesystem::path& dir) { return data_file_size(dir).has_value(); }

Env::~Env() { mdb_env_close(env_); }

MDB_txn* Env::begin(unsigned flags) {
  for (;;) {
    map_guard_.enter();
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, flags, &txn);
    if (rc == MDB_SUCCESS) return txn;
    map_guard_.leave();
    if (rc != MDB_MAP_RESIZED) check(rc, "begin transaction");
    adopt_map_size();
  }
}

void Env::adopt_map_size() {
  map_guard_.exclusive([&] {
    MDB_envinfo info;
    MDB_stat stat;
    check(mdb_env_info(env_, &info), "map size");
    check(mdb_env_stat(env_, &stat), "map size");
    if (map_size_ >= (info.me_last_pgno + 1) * stat.ms_psize) return;  // another thread adopted it
    // Size 0: the size the growing process recorded, never less than the data.
    check(mdb_env_set_mapsize(env_, 0), "resize map");
    check(mdb_env_info(env_, &info), "map size");
    map_size_ = info.me_mapsize;
  });
}

int Env::commit(MDB_txn* txn) {
  int rc = mdb_txn_commit(txn);  // frees txn, whatever it returns
  map_guard_.leave();
  return rc;
}

void Env::abort(MDB_txn* txn) {
  mdb_txn_abort(txn);
  map_guard_.leave();
}

void Env::check_readers() {
  int dead = 0;
  check(mdb_reader_check(env_, &dead), "reader check");
}

void Env::release_pages() {
  // LMDB does not tell where it mapped the file: find the mapping of the data file's inode.
  int fd = -1;
  struct stat st;
  if (mdb_env_get_fd(env_, &fd) != 0 || ::fstat(fd, &st) != 0) return;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long start = 0, end = 0, inode = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %lu", &start, &end, &inode) != 3 || inode != st.st_ino) continue;
    // The map is read-only in this process (no MDB_WRITEMAP): dropping its pages loses nothing.
    ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  }
}

void Env::wrote(std::uint64_t bytes) {
  constexpr std::uint64_t kReleaseBytes = 16 << 20;
  unreleased_bytes_ += bytes;
  if (unreleased_bytes_ < kReleaseBytes) return;
  release_pages();
  unreleased_bytes_ = 0;
}

std::optional<cli::Error> Env::failure() const {
  if (!failed_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(failure_mutex_);
  return failure_;
}

void Env::commit_failed(int rc) {
  if (rc <= 0) check(rc, "commit");  // LMDB's own codes
  // LMDB reports a write that the file system cut short as EIO, not ENOSPC: a full file
  // system is recognised by what is left on it.
  constexpr std::uint64_t kFullBelow = 1 << 20;
  struct statvfs fs;
  bool full = rc == ENOSPC || (rc == EIO && ::statvfs(dir_.c_str(), &fs) == 0 &&
                               static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < kFullBelow);
  cli::Error error(cli::Exit::io, dir_.string(),
                   "commit: " + (full ? std::string("no space left on device") : std::generic_category().message(rc)));
  {
    std::lock_guard lock(failure_mutex_);
    if (!failure_) failure_ = error;
  }
  failed_.store(true, std::memory_order_release);
  throw error;
}

void Env::grow(std::size_t seen_size) {
  map_guard_.exclusive([&] {
    if (map_size_ != seen_size) return;  // another thread grew it, or adopted a grown one
    std::size_t bigger = map_size_ < kDoublingLimit ? map_size_ * 2 : map_size_ + kDoublingLimit;
    check(mdb_env_set_mapsize(env_, bigger), "grow map");
    map_size_ = bigger;
  });
}

ReadTxn::~ReadTxn() {
  if (handle_ == nullptr) return;
  if (active_) {
    env_.abort(handle_);
  } else {
    mdb_txn_abort(handle_);  // a reset transaction holds only its reader slot
  }
}

Txn ReadTxn::renew() {
  if (active_) reset();
  if (handle_ != nullptr) {
    env_.map_guard_.enter();
    int rc = mdb_txn_renew(handle_);
    if (rc == MDB_SUCCESS) {
      active_ = true;
      return Txn(handle_, env_.dbs());
    }
    env_.map_guard_.leave();
    mdb_txn_abort(handle_);
    handle_ = nullptr;
    if (rc != MDB_MAP_RESIZED) check(rc, "renew transaction");
  }
  handle_ = env_.begin(MDB_RDONLY);  // adopts a map another process grew
  active_ = true;
  return Txn(handle_, env_.dbs());
}

void ReadTxn::reset() {
  if (!active_) return;
  mdb_txn_reset(handle_);
  env_.map_guard_.leave();
  active_ = false;
}

}  // namespace millrace::store
