#include "store/env.h"

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/error.h"
#include "temp_dir.h"

using namespace millrace::store;
using millrace::cli::Exit;
using millrace::test::TempDir;
namespace fs = std::filesystem;

namespace {

// The status of the cli::Error that `open` throws; Exit::ok when it throws none.
template <class Open>
Exit error_status(Open&& open) {
  try {
    open();
  } catch (const millrace::cli::Error& e) {
    return e.status();
  }
  return Exit::ok;
}

std::vector<std::string> keys_of(Env& env, MDB_dbi Dbs::*db) {
  std::vector<std::string> keys;
  ReadTxn txn(env);
  Txn view = txn.renew();
  Cursor cursor(view, env.dbs().*db);
  for (bool ok = cursor.seek(""); ok; ok = cursor.next()) keys.emplace_back(cursor.key());
  return keys;
}

}  // namespace

TEST_CASE("a store is created with mode 0700, parents included, on first write") {
  TempDir dir;
  fs::path path = dir / "nested/store";
  { Env env(path, Access::write, Sync::none); }
  CHECK(fs::exists(path / "data.mdb"));
  CHECK((fs::status(path).permissions() & fs::perms::all) == fs::perms::owner_all);
}

TEST_CASE("opening a missing store for reading is unavailable (69) and creates nothing") {
  TempDir dir;
  fs::path path = dir / "store";
  CHECK(error_status([&] { Env env(path, Access::read); }) == Exit::unavailable);
  CHECK(static_cast<int>(Exit::unavailable) == 69);
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a file that is not an LMDB store is unavailable") {
  TempDir dir;
  fs::create_directory(dir / "store");
  dir.write("store/data.mdb", std::string(16384, 'x'));
  CHECK(error_status([&] { Env env(dir / "store", Access::read); }) == Exit::unavailable);
  CHECK(error_status([&] { Env env(dir / "store", Access::write); }) == Exit::unavailable);
}

namespace {

// An LMDB environment in `path` whose main database names `names`, as a process killed after
// committing only some of them, or another program, would leave it.
void make_environment(const fs::path& path, std::initializer_list<const char*> names) {
  fs::create_directories(path);
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, path.c_str(), 0, 0600) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  for (const char* name : names) {
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn, name, MDB_CREATE, &dbi) == 0);
  }
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

}  // namespace

TEST_CASE("a store left half-made is completed by the next open, reader or writer") {
  TempDir dir;
  SUBCASE("an empty data file") {
    fs::create_directory(dir / "store");
    dir.write("store/data.mdb", "");
  }
  SUBCASE("a data file shorter than its two meta pages") {
    fs::create_directory(dir / "store");
    dir.write("store/data.mdb", std::string(4096, '\0'));
  }
  SUBCASE("an environment with no databases yet") { make_environment(dir / "store", {}); }
  SUBCASE("some of the databases, and no format") { make_environment(dir / "store", {"meta", "streams"}); }
  for (Access access : {Access::read, Access::write}) {
    CAPTURE(access == Access::read);
    Env env(dir / "store", access, Sync::none);
    env.write([&](const Txn& txn) { txn.put(env.dbs().items, "k", "v"); });
    CHECK(keys_of(env, &Dbs::items) == std::vector<std::string>{"k"});
  }
}

TEST_CASE("another program's LMDB environment is refused, and left as it was") {
  TempDir dir;
  make_environment(dir / "store", {"meta", "accounts"});
  auto before = fs::file_size(dir / "store/data.mdb");
  CHECK(error_status([&] { Env env(dir / "store", Access::write); }) == Exit::unavailable);
  CHECK(error_status([&] { Env env(dir / "store", Access::read); }) == Exit::unavailable);
  CHECK(fs::file_size(dir / "store/data.mdb") == before);
}

TEST_CASE("what one Env commits, a later one reads") {
  TempDir dir;
  {
    Env env(dir / "store", Access::write, Sync::full);
    env.write([&](const Txn& txn) { txn.put(env.dbs().groups, "key", "value"); });
  }
  Env env(dir / "store", Access::read);
  ReadTxn reader(env);
  Txn txn = reader.renew();
  CHECK(txn.get(env.dbs().groups, "key") == std::optional<std::string_view>("value"));
  CHECK_FALSE(txn.get(env.dbs().groups, "other"));
}

TEST_CASE("a renewed ReadTxn sees the commits made since its last snapshot") {
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  ReadTxn reader(env);
  CHECK_FALSE(reader.renew().get(env.dbs().groups, "k"));
  reader.reset();
  env.write([&](const Txn& txn) { txn.put(env.dbs().groups, "k", "1"); });
  CHECK(reader.renew().get(env.dbs().groups, "k") == std::optional<std::string_view>("1"));
  env.write([&](const Txn& txn) { txn.put(env.dbs().groups, "k", "2"); });
  CHECK(reader.renew().get(env.dbs().groups, "k") == std::optional<std::string_view>("2"));  // renew without reset
}

TEST_CASE("an exception from the body of a write commits nothing") {
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  CHECK_THROWS_AS(env.write([&](const Txn& txn) {
    txn.put(env.dbs().groups, "k", "v");
    throw std::runtime_error("stop");
  }),
                  std::runtime_error);
  CHECK(keys_of(env, &Dbs::groups).empty());
}

TEST_CASE("Txn::del reports whether the key was there") {
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  env.write([&](const Txn& txn) {
    txn.put(env.dbs().groups, "k", "v");
    CHECK(txn.del(env.dbs().groups, "k"));
    CHECK_FALSE(txn.del(env.dbs().groups, "k"));
  });
}

TEST_CASE("after Cursor::del, next() moves to the entry after the deleted one") {
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  env.write([&](const Txn& txn) {
    for (std::string key : {"a", "b", "c", "d", "e"}) txn.put(env.dbs().groups, key, "v" + key);
  });
  env.write([&](const Txn& txn) {
    Cursor cursor(txn, env.dbs().groups);
    REQUIRE(cursor.seek("b"));
    cursor.del();
    REQUIRE(cursor.next());
    CHECK(cursor.key() == "c");
    CHECK(cursor.value() == "vc");
    REQUIRE(cursor.next());
    cursor.del();  // d
    REQUIRE(cursor.next());
    CHECK(cursor.key() == "e");
    cursor.del();  // the last entry: nothing after it
    CHECK_FALSE(cursor.next());
  });
  CHECK(keys_of(env, &Dbs::groups) == std::vector<std::string>{"a", "c"});
}

TEST_CASE("a cursor seeks to the first key at or after the one asked for, and walks both ways") {
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  env.write([&](const Txn& txn) {
    for (std::string key : {"b", "d", "f"}) txn.put(env.dbs().groups, key, "");
  });
  ReadTxn reader(env);
  Txn txn = reader.renew();
  Cursor cursor(txn, env.dbs().groups);
  REQUIRE(cursor.seek("c"));
  CHECK(cursor.key() == "d");
  REQUIRE(cursor.prev());
  CHECK(cursor.key() == "b");
  CHECK_FALSE(cursor.prev());
  REQUIRE(cursor.seek(""));
  CHECK(cursor.key() == "b");
  REQUIRE(cursor.last());
  CHECK(cursor.key() == "f");
  CHECK_FALSE(cursor.seek("g"));
}

TEST_CASE("a transaction larger than the initial map grows the map and commits whole") {
  // The map starts at 64 MiB; 96 values of 1 MiB cannot fit without growing it.
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  const std::size_t kValues = 96;
  int runs = 0;
  env.write([&](const Txn& txn) {
    ++runs;
    for (std::size_t i = 0; i < kValues; ++i) {
      char key[8];
      std::snprintf(key, sizeof key, "v%03zu", i);
      txn.put(env.dbs().groups, key, std::string(1 << 20, static_cast<char>('a' + i % 26)));
    }
  });
  CHECK(runs >= 2);  // at least one MDB_MAP_FULL and a run from the start
  MDB_envinfo info;
  mdb_env_info(env.get(), &info);
  CHECK(info.me_mapsize > (96u << 20));
  ReadTxn reader(env);
  Txn txn = reader.renew();
  for (std::size_t i = 0; i < kValues; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "v%03zu", i);
    auto value = txn.get(env.dbs().groups, key);
    REQUIRE(value);
    CHECK(value->size() == (1u << 20));
    CHECK(value->front() == static_cast<char>('a' + i % 26));
  }
}

TEST_CASE("threads read on while another grows the map under them") {
  // Growing the map unmaps it and maps it again: a reader of another thread in the middle of a
  // transaction would read freed memory (a crash, or wrong bytes under the sanitizers). Readers
  // walk values whose bytes follow from their keys while a writer takes the map from 64 MiB past
  // 256 MiB, through two doublings.
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::none);
  const std::size_t kValueBytes = 256 << 10;
  auto key_of = [](std::size_t i) { return fmt::format("v{:06}", i); };
  auto byte_of = [](std::string_view key) { return static_cast<char>('a' + std::stoul(std::string(key.substr(1))) % 26); };
  auto put_values = [&](std::size_t from, std::size_t to) {
    env.write([&](const Txn& txn) {
      for (std::size_t i = from; i < to; ++i) txn.put(env.dbs().groups, key_of(i), std::string(kValueBytes, byte_of(key_of(i))));
    });
  };
  put_values(0, 16);

  std::atomic<bool> writing{true};
  std::atomic<std::uint64_t> values_read{0}, wrong{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      ReadTxn reader(env);
      while (writing.load()) {
        Txn txn = reader.renew();
        Cursor cursor(txn, env.dbs().groups);
        for (bool ok = cursor.seek(""); ok; ok = cursor.next()) {
          std::string_view value = cursor.value();
          char want = byte_of(cursor.key());
          if (value.size() != kValueBytes || value.front() != want || value.back() != want ||
              value[value.size() / 2] != want)
            wrong.fetch_add(1);
          values_read.fetch_add(1);
        }
        reader.reset();
      }
    });
  }
  const std::size_t kValues = (300u << 20) / kValueBytes;
  for (std::size_t i = 16; i < kValues; i += 32) put_values(i, std::min(i + 32, kValues));
  writing.store(false);
  for (std::thread& reader : readers) reader.join();

  MDB_envinfo info;
  mdb_env_info(env.get(), &info);
  CHECK(info.me_mapsize >= (256u << 20));
  CHECK(values_read.load() > 0);
  CHECK(wrong.load() == 0);
  CHECK(keys_of(env, &Dbs::groups).size() == kValues);
}

TEST_CASE("check() maps LMDB codes to the documented errors") {
  CHECK_NOTHROW(check(MDB_SUCCESS, "x"));
  CHECK_THROWS_AS(check(MDB_MAP_FULL, "x"), MapFull);
  CHECK(error_status([] { check(MDB_CORRUPTED, "x"); }) == Exit::unavailable);
  CHECK(error_status([] { check(MDB_INVALID, "x"); }) == Exit::unavailable);
  CHECK(error_status([] { check(MDB_VERSION_MISMATCH, "x"); }) == Exit::unavailable);
  CHECK(error_status([] { check(MDB_READERS_FULL, "x"); }) == Exit::temp_fail);
  int code = 0;
  try {
    check(ENOSPC, "commit");
  } catch (const std::system_error& e) {
    code = e.code().value();
  }
  CHECK(code == ENOSPC);
}

TEST_CASE("after a commit fails, every write fails with its error at once, and the store stays at its last commit") {
  // A file-size limit below what the commit writes makes its write fail (EFBIG), as a full disk
  // would, without root; SIGXFSZ, which the kernel sends with it, is ignored for the test.
  TempDir dir;
  Env env(dir / "store", Access::write, Sync::full);
  env.write([&](const Txn& txn) { txn.put(env.dbs().groups, "kept", "1"); });
  CHECK_FALSE(env.failure());
  auto data_size = fs::file_size(dir / "store" / "data.mdb");
  struct rlimit before;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &before) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = before;
  small.rlim_cur = data_size;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    env.write([&](const Txn& txn) { txn.put(env.dbs().groups, "lost", std::string(1 << 20, 'x')); });
  } catch (const millrace::cli::Error& e) {
    message = e.what();
    CHECK(e.status() == Exit::io);
    CHECK(e.where() == (dir / "store").string());
  }
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
  CHECK(message == "commit: File too large");
  REQUIRE(env.failure());
  CHECK(env.failure()->what() == message);
  // Not tried again, though it would fit now: the failed fsync or write is never retried.
  int runs = 0;
  std::string again;
  try {
    env.write([&](const Txn& txn) {
      ++runs;
      txn.put(env.dbs().groups, "small", "2");
    });
  } catch (const millrace::cli::Error& e) {
    again = e.what();
  }
  CHECK(runs == 0);
  CHECK(again == message);
  ReadTxn reader(env);  // reads go on
  Txn txn = reader.renew();
  CHECK(txn.get(env.dbs().groups, "kept") == std::optional<std::string_view>("1"));
  CHECK_FALSE(txn.get(env.dbs().groups, "lost"));
}
