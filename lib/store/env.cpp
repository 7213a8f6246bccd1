#include "store/env.h"

#include <sys/mman.h>
#include <sys/stat.h>

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

Env::Env(std::filesystem::path dir, Access access, Sync sync) : dir_(std::move(dir)) {
  std::error_code ec;
  bool exists = std::filesystem::exists(dir_ / "data.mdb", ec);
  if (!exists && access == Access::read)
    throw cli::Error(cli::Exit::unavailable, dir_.string(), "no store here (nothing has been written yet)");
  if (!exists) {
    std::filesystem::create_directories(dir_.parent_path().empty() ? "." : dir_.parent_path(), ec);
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
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
      throw cli::Error(exists ? cli::Exit::unavailable : cli::Exit::cant_create, dir_.string(),
                       std::generic_category().message(rc));
    check(rc, "open store " + dir_.string());
    check_readers();

    open_databases(exists);
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

void Env::open_databases(bool exists) {
  // The databases of the stream core, which every store has, and of the modules added since
  // (tables, the archive log): a store made before them gets them from the first program that
  // opens it.
  const std::pair<const char*, MDB_dbi*> core[] = {{"meta", &dbs_.meta},
                                                   {"streams", &dbs_.streams},
                                                   {"shards", &dbs_.shards},
                                                   {"records", &dbs_.records},
                                                   {"groups", &dbs_.groups}};
  const std::pair<const char*, MDB_dbi*> added[] = {
      {"tables", &dbs_.tables},
      {"items", &dbs_.items},
      {"expiry", &dbs_.expiry},
      {"archive", &dbs_.archive}};
  // Named databases are created by the first writer; a reader finds them, and writes only to
  // add the databases a store made by an older millrace lacks.
  for (bool writing : {!exists, true}) {
    MDB_txn* txn = begin(writing ? 0 : MDB_RDONLY);
    try {
      for (auto [name, dbi] : core) {
        int rc = mdb_dbi_open(txn, name, exists ? 0 : MDB_CREATE, dbi);
        if (rc == MDB_NOTFOUND) throw cli::Error(cli::Exit::unavailable, dir_.string(), "not a millrace store");
        check(rc, "open store");
      }
      bool missing = false;
      for (auto [name, dbi] : added) {
        int rc = mdb_dbi_open(txn, name, writing ? MDB_CREATE : 0, dbi);
        missing |= rc == MDB_NOTFOUND;
        if (rc != MDB_NOTFOUND) check(rc, "open store");
      }
      if (missing) {  // only when reading: open again, writing
        mdb_txn_abort(txn);
        continue;
      }
      Txn view(txn, dbs_);
      if (!exists) {
        std::string version;
        Encoder(version).u32(kFormatVersion);
        view.put(dbs_.meta, kFormatKey, version);
      } else if (auto version = view.get(dbs_.meta, kFormatKey);
                 !version || Decoder(*version, "format").u32() != kFormatVersion) {
        throw cli::Error(cli::Exit::unavailable, dir_.string(),
                         fmt::format("store of another format (this millrace reads format {})", kFormatVersion));
      }
    } catch (...) {
      mdb_txn_abort(txn);
      throw;
    }
    check(mdb_txn_commit(txn), "open store");
    return;
  }
}

Env::~Env() { mdb_env_close(env_); }

MDB_txn* Env::begin(unsigned flags) {
  for (;;) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, flags, &txn);
    if (rc == MDB_MAP_RESIZED) {  // another process grew the map: adopt its size
      check(mdb_env_set_mapsize(env_, 0), "resize map");
      continue;
    }
    check(rc, "begin transaction");
    return txn;
  }
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

void Env::grow() {
  MDB_envinfo info;
  check(mdb_env_info(env_, &info), "map size");
  std::size_t size = info.me_mapsize;
  std::size_t bigger = size < kDoublingLimit ? size * 2 : size + kDoublingLimit;
  check(mdb_env_set_mapsize(env_, bigger), "grow map");
}

ReadTxn::~ReadTxn() {
  if (handle_ != nullptr) mdb_txn_abort(handle_);
}

Txn ReadTxn::renew() {
  if (active_) reset();
  if (handle_ == nullptr) {
    handle_ = env_.begin(MDB_RDONLY);
  } else {
    int rc = mdb_txn_renew(handle_);
    if (rc == MDB_MAP_RESIZED) {
      mdb_txn_abort(handle_);
      handle_ = nullptr;
      check(mdb_env_set_mapsize(env_.get(), 0), "resize map");
      handle_ = env_.begin(MDB_RDONLY);
    } else {
      check(rc, "renew transaction");
    }
  }
  active_ = true;
  return Txn(handle_, env_.dbs());
}

void ReadTxn::reset() {
  if (active_) mdb_txn_reset(handle_);
  active_ = false;
}

}  // namespace millrace::store
