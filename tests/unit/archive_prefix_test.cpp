#include "archive/prefix.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/error.h"

using namespace millrace::archive;

namespace {

// 2026-03-01T09:05:07.042Z, a Sunday, the 60th day of the year.
constexpr millrace::lines::EpochMs kTime = 1'772'355'907'042;

std::string render(const std::string& text, std::vector<std::string> values = {},
                   Prefix::Kind kind = Prefix::Kind::records, std::vector<std::string> keys = {}) {
  Prefix prefix(text, kind, keys, "--prefix");
  return prefix.render({kTime, values, "processing-failed"});
}

}  // namespace

TEST_CASE("timestamps are formatted as Java's DateTimeFormatter does, in UTC") {
  CHECK(render("!{timestamp:yyyy/MM/dd/HH}/") == "2026/03/01/09/");
  CHECK(render("!{timestamp:yy-M-d H:m:s}/") == "26-3-1 9:5:7/");
  CHECK(render("!{timestamp:yyyy-MM-dd'T'HH:mm:ss.SSS}") == "2026-03-01T09:05:07.042");
  CHECK(render("!{timestamp:MMM MMMM E EEEE D}") == "Mar March Sun Sunday 60");
  CHECK(render("!{timestamp:hh a}") == "09 AM");
  CHECK(render("!{timestamp:'year='yyyy}/!{timestamp:'it''s'}") == "year=2026/it's");
}

TEST_CASE("a template without expressions is followed by the hour, as Firehose") {
  CHECK(render("logs/") == "logs/2026/03/01/09/");
  CHECK(render("") == "2026/03/01/09/");
}

TEST_CASE("partition keys take their encoded values, in the order of the keys") {
  std::vector<std::string> keys = {"Name", "day"};
  CHECK(render("n=!{partitionKeyFromQuery:Name}/d=!{partitionKeyFromQuery:day}/", {"Shadowfax", "mon"},
               Prefix::Kind::records, keys) == "n=Shadowfax/d=mon/");
  Prefix prefix("!{partitionKeyFromQuery:day}/", Prefix::Kind::records, keys, "--prefix");
  CHECK(prefix.keys_used() == std::vector<std::size_t>{1});
}

TEST_CASE("the error output type is for error prefixes") {
  CHECK(render("errors/!{firehose:error-output-type}/", {}, Prefix::Kind::errors) == "errors/processing-failed/");
  CHECK_THROWS_AS(render("!{firehose:error-output-type}/"), millrace::cli::Error);
  CHECK_THROWS_AS(render("!{partitionKeyFromQuery:Name}/", {}, Prefix::Kind::errors, {"Name"}), millrace::cli::Error);
}

TEST_CASE("random strings are 11 letters and digits, new for each object") {
  Prefix prefix("r/!{firehose:random-string}/", Prefix::Kind::records, {}, "--prefix");
  std::string a = prefix.render({kTime, {}, {}}), b = prefix.render({kTime, {}, {}});
  CHECK(a.size() == 2 + 11 + 1);
  CHECK(a != b);
}

TEST_CASE("templates that could leave the bucket or are not templates are refused") {
  for (const char* text : {"/abs/", "../up/", "a/../b/", "./a/", "a//b/", ".hidden/!{timestamp:yyyy}",
                           "!{timestamp:'..'}/x", "!{timestamp:yyyy}/!{timestamp:'.'}x", "!{nope:x}",
                           "!{timestamp:yyyy", "!{timestamp:}", "!{timestamp:Q}", "!{timestamp:ddd}",
                           "!{timestamp:'open}", "!{partitionKeyFromQuery:Unknown}/"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(render(text), millrace::cli::Error);
  }
}
