#include "lines/time.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "cli/error.h"

namespace millrace::lines {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Reads exactly `width` digits at `pos`; advances pos.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool take(std::string_view text, std::size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

EpochMs clock_start() {
  static const EpochMs start = [] {
    const char* fixed = std::getenv("MILLRACE_NOW");
    if (fixed == nullptr || *fixed == '\0') return EpochMs{-1};
    auto parsed = parse_iso8601(fixed);
    if (!parsed)
      throw cli::Error(cli::Exit::usage, "MILLRACE_NOW", "not an ISO 8601 time: " + std::string(fixed));
    return *parsed;
  }();
  return start;
}

}  // namespace

EpochMs now_ms() {
  using namespace std::chrono;
  EpochMs start = clock_start();
  if (start < 0)
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  static const auto origin = steady_clock::now();
  return start + duration_cast<milliseconds>(steady_clock::now() - origin).count();
}

EpochMs iso8601_ms(std::string_view text) {
  // Times in a stream mostly share their date: the last one's is kept, per thread, so that
  // a window over millions of records does not convert the same calendar date each time. It
  // starts as a real date, so that no text matches it before a date has been read.
  thread_local char last_date[10] = {'1', '9', '7', '0', '-', '0', '1', '-', '0', '1'};
  thread_local EpochMs last_date_ms = 0;
  std::size_t pos = 0;
  EpochMs ms = 0;
  if (text.size() >= 10 && std::memcmp(text.data(), last_date, 10) == 0) {
    ms = last_date_ms;
    pos = 10;
  } else {
    auto year = digits(text, pos, 4);
    if (!year || !take(text, pos, '-')) return kNotATime;
    auto month = digits(text, pos, 2);
    if (!month || !take(text, pos, '-')) return kNotATime;
    auto day = digits(text, pos, 2);
    if (!day) return kNotATime;
    std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                     std::chrono::day(*day)};
    if (!date.ok()) return kNotATime;
    ms = EpochMs{sys_days(date).time_since_epoch().count()} * 86'400'000;
    std::memcpy(last_date, text.data(), 10);
    last_date_ms = ms;
  }
  if (pos == text.size()) return ms;

  // The form most data has, Thh:mm:ss.mmmZ, in one step; any other takes the general path.
  if (text.size() - pos == 14) {
    const char* t = text.data() + pos;
    auto digit = [t](int i) { return static_cast<unsigned>(t[i] - '0'); };  // > 9 when not a digit
    // The largest, not an or of nine comparisons: compilers spill such bools byte by byte and
    // reload them as words, a store-forwarding stall each.
    bool all_digits = std::max({digit(1), digit(2), digit(4), digit(5), digit(7), digit(8), digit(10), digit(11),
                                digit(12)}) <= 9;
    unsigned hour = digit(1) * 10 + digit(2), minute = digit(4) * 10 + digit(5), second = digit(7) * 10 + digit(8);
    if (t[0] == 'T' && t[3] == ':' && t[6] == ':' && t[9] == '.' && t[13] == 'Z' && all_digits && hour <= 23 &&
        minute <= 59 && second <= 60)
      return ms + ((hour * 60 + minute) * 60 + second) * EpochMs{1000} + digit(10) * 100 + digit(11) * 10 + digit(12);
  }

  if (!take(text, pos, 'T') && !take(text, pos, 't') && !take(text, pos, ' ')) return kNotATime;
  auto hour = digits(text, pos, 2);
  if (!hour || *hour > 23 || !take(text, pos, ':')) return kNotATime;
  auto minute = digits(text, pos, 2);
  if (!minute || *minute > 59) return kNotATime;
  int second = 0, millis = 0;
  if (take(text, pos, ':')) {
    auto s = digits(text, pos, 2);
    if (!s || *s > 60) return kNotATime;  // 60: a leap second, read as the next second's start
    second = *s;
    if (take(text, pos, '.') || take(text, pos, ',')) {
      int scale = 100, count = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        ++count;
      }
      if (count == 0) return kNotATime;
    }
  }
  ms += ((*hour * 60 + *minute) * 60 + second) * EpochMs{1000} + millis;

  if (take(text, pos, 'Z') || take(text, pos, 'z')) return pos == text.size() ? ms : kNotATime;
  if (pos == text.size()) return ms;
  int sign = take(text, pos, '+') ? 1 : take(text, pos, '-') ? -1 : 0;
  if (sign == 0) return kNotATime;
  auto offset_hours = digits(text, pos, 2);
  if (!offset_hours || *offset_hours > 23) return kNotATime;
  int offset_minutes = 0;
  if (pos < text.size()) {
    take(text, pos, ':');
    auto m = digits(text, pos, 2);
    if (!m || *m > 59) return kNotATime;
    offset_minutes = *m;
  }
  if (pos != text.size()) return kNotATime;
  return ms - sign * (*offset_hours * 60 + offset_minutes) * EpochMs{60'000};
}

std::optional<EpochMs> parse_iso8601(std::string_view text) {
  EpochMs ms = iso8601_ms(text);
  return ms == kNotATime ? std::nullopt : std::optional(ms);
}

std::optional<EpochMs> parse_epoch_number(double value) {
  // Beyond ±10^15 ms (year 33658) no time in data makes sense, and the cast would overflow.
  if (!(value > -1e15 && value < 1e15)) return std::nullopt;
  if (value < 1e11 && value > -1e11) return static_cast<EpochMs>(value * 1000.0);
  return static_cast<EpochMs>(value);
}

void format_iso8601(EpochMs ms, char* out) {
  EpochMs day_number = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  EpochMs in_day = ms - day_number * 86'400'000;
  std::chrono::year_month_day date{sys_days(days(day_number))};
  auto put = [&out](unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    out += width;
  };
  put(static_cast<unsigned>(static_cast<int>(date.year())), 4);
  *out++ = '-';
  put(static_cast<unsigned>(date.month()), 2);
  *out++ = '-';
  put(static_cast<unsigned>(date.day()), 2);
  *out++ = 'T';
  put(static_cast<unsigned>(in_day / 3'600'000), 2);
  *out++ = ':';
  put(static_cast<unsigned>(in_day / 60'000 % 60), 2);
  *out++ = ':';
  put(static_cast<unsigned>(in_day / 1000 % 60), 2);
  *out++ = '.';
  put(static_cast<unsigned>(in_day % 1000), 3);
  *out = 'Z';
}

std::string format_iso8601(EpochMs ms) {
  std::string text(kIsoLength, '\0');
  format_iso8601(ms, text.data());
  return text;
}

namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffix first, so "ms" is not read as "m" followed by junk.
constexpr Unit kDurationUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
constexpr Unit kSizeUnits[] = {{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"B", 1}, {"", 1}};

template <std::size_t N>
std::optional<std::uint64_t> parse_scaled(std::string_view text, const Unit (&units)[N]) {
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  for (const Unit& unit : units) {
    if (suffix != unit.suffix) continue;
    if (number > std::numeric_limits<std::int64_t>::max() / unit.factor) return std::nullopt;
    return number * unit.factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  auto ms = parse_scaled(text, kDurationUnits);
  if (!ms) return std::nullopt;
  return static_cast<std::int64_t>(*ms);
}

std::string format_duration(std::int64_t ms) {
  // The largest unit that divides the duration exactly.
  for (auto it = std::rbegin(kDurationUnits); it != std::rend(kDurationUnits); ++it) {
    auto factor = static_cast<std::int64_t>(it->factor);
    if (ms != 0 && ms % factor == 0) return std::to_string(ms / factor) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

std::optional<std::uint64_t> parse_size(std::string_view text) { return parse_scaled(text, kSizeUnits); }

}  // namespace millrace::lines
