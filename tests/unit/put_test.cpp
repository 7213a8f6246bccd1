#include "table/put.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <optional>
#include <string>

#include "lines/time.h"
#include "store/tables.h"
#include "store_fixture.h"
#include "table/get.h"

using namespace millrace;
using millrace::test::StoreFixture;

namespace {

struct Table {
  StoreFixture store;
  table::TableSpec spec{"t", std::string("id"), std::nullopt, store::KeyType::string, std::nullopt, std::nullopt, true};

  table::PutStats put(std::string_view lines, const table::PutOptions& options = {}) {
    std::string file = store.dir.write("in.jsonl", lines);
    lines::Reader reader({file}, table::max_line_length(options.format));
    return table::put_items(store.env, spec, reader, options, nullptr);
  }

  // The expiry time of the item `id` as stored (0: never), -1 without one.
  lines::EpochMs expires(std::string_view id) {
    lines::EpochMs expires_ms = -1;
    store.read([&](const store::Txn& txn) {
      store::TableMeta meta = store::table_or_throw(txn, "t");
      std::string key;
      REQUIRE_FALSE(table::item_key(meta, id, std::nullopt, key));
      if (auto value = txn.get(txn.dbs().items, key)) expires_ms = store::decode_item(*value).expires_ms;
    });
    return expires_ms;
  }

  // The item of `id` as kv-get gives it, or nullopt.
  std::optional<std::string> get(std::string_view id) {
    std::string file = (store.dir / "out").string();
    std::optional<std::string> item;
    {
      int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      lines::Writer out(fd);
      bool found = table::get_item(store.env, "t", id, std::nullopt, out);
      out.flush();
      ::close(fd);
      if (!found) return std::nullopt;
    }
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  }
};

}  // namespace

TEST_CASE("--if-absent: the first item of a key stays, the others are counted") {
  Table t;
  table::PutOptions options;
  options.if_absent = true;
  auto stats = t.put("{\"id\":\"a\",\"v\":1}\n{\"id\":\"a\",\"v\":2}\n{\"id\":\"b\",\"v\":3}\n", options);
  CHECK(stats.written == 2);
  CHECK(stats.refused == 1);
  CHECK(t.get("a") == "{\"id\":\"a\",\"v\":1}");
}

TEST_CASE("--if: the condition reads the stored item; where there is none, every attribute is null") {
  Table t;
  t.put("{\"id\":\"a\",\"version\":3}\n");
  table::PutOptions options;
  options.condition = expr::Condition::compile("version < 4 or version is null", "--if");
  auto stats = t.put("{\"id\":\"a\",\"version\":4}\n{\"id\":\"a\",\"version\":5}\n{\"id\":\"new\",\"version\":1}\n", options);
  CHECK(stats.written == 2);  // a: 3 → 4 holds, then 4 < 4 fails; new: null holds
  CHECK(stats.refused == 1);
  CHECK(t.get("a") == "{\"id\":\"a\",\"version\":4}");
  CHECK(t.get("new") == "{\"id\":\"new\",\"version\":1}");
}

TEST_CASE("an expired item counts as absent, and an update starts afresh from it") {
  Table t;
  t.spec.ttl = "ttl";
  lines::EpochMs now_s = lines::now_ms() / 1000;
  t.put(fmt::format("{{\"id\":\"a\",\"n\":5,\"ttl\":{}}}\n", now_s + 1));
  CHECK(t.get("a"));
  ::usleep(2'100'000);  // the item expires; no write has removed it yet
  CHECK_FALSE(t.get("a"));
  table::PutOptions add;
  add.action = table::Action::update;
  add.update.add = {"n"};
  t.put("{\"id\":\"a\",\"n\":1}\n", add);
  CHECK(t.get("a") == "{\"id\":\"a\",\"n\":1}");  // not 6: the expired item is gone for reads and updates
}

TEST_CASE("an update keeps the TTL of the stored item unless it gives one; REMOVE of it: never expires") {
  Table t;
  t.spec.ttl = "ttl";
  lines::EpochMs later_s = lines::now_ms() / 1000 + 3600;
  t.put(fmt::format("{{\"id\":\"a\",\"n\":1,\"ttl\":{0}}}\n{{\"id\":\"b\",\"n\":1,\"ttl\":{0}}}\n", later_s));
  table::PutOptions merge;
  merge.action = table::Action::update;
  t.put("{\"id\":\"a\",\"n\":2}\n", merge);
  CHECK(t.expires("a") == later_s * 1000);
  t.put(fmt::format("{{\"id\":\"a\",\"ttl\":{}}}\n", later_s + 60), merge);
  CHECK(t.expires("a") == (later_s + 60) * 1000);
  table::PutOptions remove = merge;
  remove.update.remove = {"ttl"};
  t.put("{\"id\":\"b\"}\n", remove);
  CHECK(t.expires("b") == 0);
  CHECK(t.get("b") == "{\"id\":\"b\",\"n\":1}");
}
