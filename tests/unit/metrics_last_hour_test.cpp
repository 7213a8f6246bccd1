#include "metrics/last_hour.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "metrics/recorder.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::metrics;
using millrace::test::TempDir;

namespace {

lines::EpochMs at(const char* iso) { return *lines::parse_iso8601(iso); }

const MetricId kIncoming("AWS/Kinesis", "IncomingRecords", {{"StreamName", "s"}});
const MetricId kQuiet("AWS/Kinesis", "IncomingRecords", {{"StreamName", "quiet"}});

// A store whose stream s had 3 records at 10:00, 6 at 10:30 and 5 + 7 at 10:59, and one at
// 09:59, outside the hour that ends at 10:59:30.
struct Store {
  TempDir dir;
  store::Env env{dir / "store", store::Access::write, store::Sync::none};
  Store() {
    Recorder recorder;
    Recorder::Series series = recorder.series(kIncoming, Unit::count);
    recorder.add(series, 1, at("2026-11-23T09:59:59Z"));
    recorder.add(series, 3, at("2026-11-23T10:00:00Z"));
    recorder.add(series, 6, at("2026-11-23T10:30:15Z"));
    recorder.add(series, 5, at("2026-11-23T10:59:00Z"));
    recorder.add(series, 7, at("2026-11-23T10:59:29Z"));
    write(env, &recorder, [](const store::Txn&) {});
  }
};

const lines::EpochMs kNow = at("2026-11-23T10:59:30Z");

// `count` spaces.
std::string gap(std::size_t count) { return std::string(count, ' '); }

}  // namespace

TEST_CASE("the last hour ends with the minute under way: a Sum a bar, nothing where no sample was") {
  Store s;
  store::ReadTxn reader(s.env);
  const store::Txn& txn = reader.renew();
  auto minutes = last_hour(txn, kIncoming, kNow, 1);
  REQUIRE(minutes.size() == 60);
  CHECK(minutes[0] == 3.0);
  CHECK(minutes[30] == 6.0);
  CHECK(minutes[59] == 12.0);
  int present = 0;
  for (const auto& minute : minutes) present += minute.has_value();
  CHECK(present == 3);
  auto five = last_hour(txn, kIncoming, kNow, 5);
  REQUIRE(five.size() == 12);
  CHECK(five[0] == 3.0);
  CHECK(five[6] == 6.0);
  CHECK(five[11] == 12.0);
  CHECK_FALSE(five[1].has_value());
  auto later = last_hour(txn, kIncoming, at("2026-11-23T11:59:59Z"), 60);  // the hour from 11:00: none
  REQUIRE(later.size() == 1);
  CHECK_FALSE(later[0].has_value());
}

TEST_CASE("the block: a bar a minute when the rows fit the terminal, wider bars when they do not") {
  Store s;
  store::ReadTxn reader(s.env);
  const store::Txn& txn = reader.renew();
  std::vector<HourRow> rows = {{"s", kIncoming}, {"quiet", kQuiet}};
  // ASCII bars from 0 to 12 in 8 levels: 3 is round(1.75) = 2 ':', 6 round(3.5) = 4 '=', 12 '#'.
  std::string wide = last_hour_block(txn, "incoming records", rows, kNow, 200, Glyphs::ascii);
  CHECK(wide == "incoming records, the last hour, a bar a minute from 10:00 to 10:59 UTC:\n"
                "  s      :" + gap(29) + "=" + gap(28) + "#  21 in the hour, at most 12 a minute\n"
                "  quiet  " + gap(60) + "  none in the hour\n");
  // 80 columns: 2 + 5 + 2 + 60 + 2 + 35 do not fit; bars of 2 minutes, 30 of them, do:
  // 2 + 5 + 2 + 30 + 2 + 39 = 80.
  std::string narrow = last_hour_block(txn, "incoming records", rows, kNow, 80, Glyphs::ascii);
  CHECK(narrow == "incoming records, the last hour, a bar for 2 minutes from 10:00 to 10:59 UTC:\n"
                  "  s      :" + gap(14) + "=" + gap(13) + "#  21 in the hour, at most 12 in 2 minutes\n"
                  "  quiet  " + gap(30) + "  none in the hour\n");
  std::string blocks = last_hour_block(txn, "incoming records", {{"s", kIncoming}}, kNow, 200, Glyphs::blocks);
  CHECK(blocks.find("  s  \u2583" + gap(29) + "\u2585" + gap(28) + "\u2588  21 in the hour") != std::string::npos);
}

TEST_CASE("block characters where the locale is UTF-8, ASCII elsewhere") {
  auto with = [](const char* lc_all, const char* lang) {
    lc_all ? setenv("LC_ALL", lc_all, 1) : unsetenv("LC_ALL");
    unsetenv("LC_CTYPE");
    lang ? setenv("LANG", lang, 1) : unsetenv("LANG");
    return sparkline_glyphs();
  };
  const char* saved_all = std::getenv("LC_ALL");
  const char* saved_lang = std::getenv("LANG");
  std::string kept_all = saved_all ? saved_all : "", kept_lang = saved_lang ? saved_lang : "";
  CHECK(with("C.UTF-8", nullptr) == Glyphs::blocks);
  CHECK(with(nullptr, "en_GB.utf8") == Glyphs::blocks);
  CHECK(with("C", "en_GB.UTF-8") == Glyphs::ascii);  // LC_ALL first
  CHECK(with("", "en_GB.UTF-8") == Glyphs::blocks);  // an empty one is not set
  CHECK(with(nullptr, nullptr) == Glyphs::ascii);
  with(saved_all ? kept_all.c_str() : nullptr, saved_lang ? kept_lang.c_str() : nullptr);
}
