// Prefix templates (archive/prefix.h): fh-archive's --prefix and --error-prefix, rendered with
// values from the data.
//
// Input: the first line is the template; the second a time (digits, taken modulo the range of
// times an envelope's "ts" can give); the others the values of the partition keys Name, day
// and k (raw, encoded here as fh-archive encodes them).
//
// Checks: a template is refused with cli::Error (usage, naming the option), or it renders, for
// records and for errors, whatever the time and values, a prefix that stays inside the bucket:
// not absolute, no NUL, no empty component but the last, no component beginning with "."; it
// uses only the keys given, and the encoded value of each key it uses appears in it; without a
// random string, two renderings are the same.
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "archive/path_value.h"
#include "archive/prefix.h"
#include "cli/error.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;

namespace {

const std::vector<std::string> kKeys = {"Name", "day", "k"};
constexpr std::string_view kOption = "--prefix";
// 0000-01-01T00:00+23:59 and 9999-12-31T23:59:59.999-23:59, the extremes of parse_iso8601.
constexpr lines::EpochMs kEarliest = -62'167'219'200'000 - 86'340'000;
constexpr lines::EpochMs kLatest = 253'402'300'799'999 + 86'340'000;

std::optional<archive::Prefix> make(std::string_view text, archive::Prefix::Kind kind) {
  try {
    return archive::Prefix(text, kind, kKeys, kOption);
  } catch (const cli::Error& e) {
    require(e.status() == cli::Exit::usage && e.where() == kOption, "a bad template is not a usage error naming the option");
    return std::nullopt;
  }
}

void check_inside_bucket(std::string_view rendered) {
  require(!rendered.starts_with('/'), "a prefix is absolute");
  require(rendered.find('\0') == std::string_view::npos, "a prefix holds NUL");
  for (std::size_t start = 0;;) {
    std::size_t slash = rendered.find('/', start);
    std::string_view component = rendered.substr(start, slash == std::string_view::npos ? slash : slash - start);
    require(!component.starts_with('.'), "a prefix component begins with .");
    if (slash == std::string_view::npos) break;
    require(!component.empty(), "a prefix has an empty component");
    start = slash + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  lines.resize(2 + kKeys.size());
  std::uint64_t digits = 0;
  std::from_chars(lines[1].data(), lines[1].data() + lines[1].size(), digits);
  lines::EpochMs time = kEarliest + static_cast<lines::EpochMs>(digits % static_cast<std::uint64_t>(kLatest - kEarliest + 1));
  std::vector<std::string> values;
  for (std::size_t i = 0; i < kKeys.size(); ++i) values.push_back(archive::encode_path_value(lines[2 + i]));
  bool random = lines[0].find("!{firehose:random-string}") != std::string_view::npos;

  for (auto kind : {archive::Prefix::Kind::records, archive::Prefix::Kind::errors}) {
    std::optional<archive::Prefix> prefix = make(lines[0], kind);
    if (!prefix) continue;
    for (std::string_view error_type : {"processing-failed", "partitioning-failed"}) {
      std::string rendered = prefix->render({time, values, error_type});
      check_inside_bucket(rendered);
      for (std::size_t key : prefix->keys_used()) {
        require(key < kKeys.size(), "a template uses a key not given");
        require(rendered.find(values[key]) != std::string::npos, "a used key's value is not in the prefix");
      }
      if (!random) require(prefix->render({time, values, error_type}) == rendered, "a prefix renders otherwise twice");
    }
  }
  return 0;
}
