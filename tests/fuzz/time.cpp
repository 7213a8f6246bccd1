// Times, durations and sizes (lines/time.h): ISO 8601 in data, envelopes and MILLRACE_NOW;
// --retention, --lateness, --buffer-interval and the like; --buffer-size and the like.
//
// Input: one text, given to every parser.
//
// Checks, against independent readings of the grammars in the header (a hand-written
// ISO 8601 reader over timegm(3); digits and a unit in 128-bit arithmetic): the same verdict and
// value, the second reading of a date (from the per-thread cache) included; a time formats back
// to itself; a duration formats to its largest exact unit and back; epoch numbers stay in range.
#include <time.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <string>

#include "fuzz.h"
#include "lines/time.h"

using namespace millrace;
using fuzz::require;
using lines::EpochMs;

namespace {

bool digits_at(std::string_view text, std::size_t at, std::size_t count, int& value) {
  if (at + count > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// YYYY-MM-DD[(T|t| )hh:mm[:ss[(.|,)fraction]][Z|z|±hh[[:]mm]]], UTC unless an offset is given.
std::optional<EpochMs> reference_iso8601(std::string_view text) {
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0, offset = 0;
  if (!digits_at(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !digits_at(text, 5, 2, month) ||
      text[7] != '-' || !digits_at(text, 8, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if (rest.size() < 6 || std::strchr("Tt ", rest[0]) == nullptr || rest[0] == '\0' || !digits_at(rest, 1, 2, hour) ||
        rest[3] != ':' || !digits_at(rest, 4, 2, minute) || hour > 23 || minute > 59)
      return std::nullopt;
    rest.remove_prefix(6);
    if (rest.starts_with(':')) {
      if (!digits_at(rest, 1, 2, second) || second > 60) return std::nullopt;
      rest.remove_prefix(3);
      if (rest.starts_with('.') || rest.starts_with(',')) {
        std::size_t end = rest.find_first_not_of("0123456789", 1);
        if (end == std::string_view::npos) end = rest.size();
        if (end == 1) return std::nullopt;
        std::string fraction(rest.substr(1, end - 1));
        fraction.resize(3, '0');  // milliseconds, finer digits dropped
        millis = std::stoi(fraction);
        rest.remove_prefix(end);
      }
    }
    if (rest == "Z" || rest == "z") {
      rest = {};
    } else if (!rest.empty()) {
      int sign = rest[0] == '+' ? 1 : rest[0] == '-' ? -1 : 0;
      int hours, minutes = 0;
      if (sign == 0 || !digits_at(rest, 1, 2, hours) || hours > 23) return std::nullopt;
      rest.remove_prefix(3);
      if (!rest.empty()) {
        if (rest.starts_with(':')) rest.remove_prefix(1);
        if (rest.size() != 2 || !digits_at(rest, 0, 2, minutes) || minutes > 59) return std::nullopt;
      }
      offset = sign * (hours * 60 + minutes);
    }
  }
  struct tm fields {};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;  // 60, a leap second, is the next minute's start, as timegm reads it
  return static_cast<EpochMs>(timegm(&fields)) * 1000 + millis - offset * EpochMs{60'000};
}

struct Unit {
  std::string_view suffix;
  std::int64_t factor;
};
constexpr Unit kDurationUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
constexpr Unit kSizeUnits[] = {{"", 1}, {"B", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}};

// Digits, then exactly one of `units`; the value must fit int64.
template <std::size_t N>
std::optional<std::int64_t> reference_scaled(std::string_view text, const Unit (&units)[N]) {
  std::size_t end = text.find_first_not_of("0123456789");
  if (end == std::string_view::npos) end = text.size();
  if (end == 0) return std::nullopt;
  std::string_view suffix = text.substr(end);
  for (const Unit& unit : units) {
    if (suffix != unit.suffix) continue;
    __int128 value = 0;
    for (std::size_t i = 0; i < end; ++i) {
      value = value * 10 + (text[i] - '0');
      if (value > INT64_MAX) return std::nullopt;  // stays so once multiplied
    }
    value *= unit.factor;
    if (value > INT64_MAX) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  return std::nullopt;
}

void check_iso8601(std::string_view text) {
  std::optional<EpochMs> want = reference_iso8601(text);
  lines::iso8601_ms("1999-09-09");  // the cache holds another date
  require(lines::parse_iso8601(text) == want, "an ISO 8601 time is read otherwise than its grammar says");
  require(lines::parse_iso8601(text) == want, "an ISO 8601 time is read otherwise a second time");
  if (!want) return;
  std::string formatted = lines::format_iso8601(*want);
  require(formatted.size() == lines::kIsoLength, "a time formats to another length");
  // Years 0 to 9999 have four digits; an offset may carry a time a day beyond them.
  if (*want >= -62'167'219'200'000 && *want < 253'402'300'800'000)
    require(lines::parse_iso8601(formatted) == want, "a time does not format back to itself");
}

void check_duration(std::string_view text) {
  std::optional<std::int64_t> ms = lines::parse_duration_ms(text);
  require(ms == reference_scaled(text, kDurationUnits), "a duration is read otherwise than its grammar says");
  if (!ms) return;
  std::string formatted = lines::format_duration(*ms);
  require(lines::parse_duration_ms(formatted) == ms, "a duration does not format back to itself");
  std::size_t digits = formatted.find_first_not_of("0123456789");
  std::string_view unit = std::string_view(formatted).substr(digits);
  bool larger = false;  // a unit after this one's in kDurationUnits
  for (const Unit& u : kDurationUnits) {
    if (larger) require(*ms == 0 || *ms % u.factor != 0, "a duration is not formatted in its largest exact unit");
    larger = larger || u.suffix == unit;
  }
}

void check_epoch_number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return;
  std::optional<EpochMs> ms = lines::parse_epoch_number(value);
  require(ms.has_value() == (value > -1e15 && value < 1e15), "an epoch number's range is not the header's");
  if (ms) require(*ms > -1'000'000'000'000'000 && *ms < 1'000'000'000'000'000, "an epoch number gives a time out of range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  check_iso8601(text);
  check_duration(text);
  std::optional<std::uint64_t> bytes = lines::parse_size(text);
  std::optional<std::int64_t> want = reference_scaled(text, kSizeUnits);
  require(bytes.has_value() == want.has_value() && (!bytes || *bytes == static_cast<std::uint64_t>(*want)),
          "a size is read otherwise than its grammar says");
  check_epoch_number(text);
  return 0;
}
