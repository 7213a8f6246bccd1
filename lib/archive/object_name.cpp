#include "archive/object_name.h"

#include <chrono>
#include <random>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "store/names.h"

namespace millrace::archive {
namespace {

// "-yyyy-MM-dd-HH-mm-ss-": where each digit and dash goes.
constexpr std::string_view kTimeShape = "-dddd-dd-dd-dd-dd-dd-";

bool has_time_shape(std::string_view text) {
  for (std::size_t i = 0; i < kTimeShape.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (kTimeShape[i] == 'd' ? !digit : text[i] != '-') return false;
  }
  return true;
}

int number(std::string_view text, std::size_t at, std::size_t width) {
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

}  // namespace

std::optional<std::string> check_object_name(std::string_view name) {
  if (auto problem = store::check_name(name)) return problem;
  if (name.starts_with('.')) return std::string("a name beginning with \".\" is a temporary file's");
  return std::nullopt;
}

std::string object_name(std::string_view name, lines::EpochMs time, std::string_view id, Compression compression) {
  using namespace std::chrono;
  sys_seconds instant = floor<seconds>(sys_time<milliseconds>{milliseconds(time)});
  return fmt::format("{}-{:%Y-%m-%d-%H-%M-%S}-{}{}", name, instant, id,
                     compression == Compression::zstd ? ".jsonl.zst" : ".jsonl");
}

std::string sequence_id(store::Position first, store::Position last) {
  return store::format_sequence(first) + "-" + store::format_sequence(last);
}

std::string random_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t high = random(), low = random();
  high = (high & ~0xF000ull) | 0x4000ull;                             // version 4
  low = (low & ~(0xC000ull << 48)) | (0x8000ull << 48);               // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF, high & 0xFFFF,
                     low >> 48, low & 0xFFFFFFFFFFFFull);
}

std::optional<lines::EpochMs> object_time(std::string_view file_name) {
  if (is_temporary(file_name) || file_name.size() < kTimeShape.size() + 2) return std::nullopt;
  // From the right: a NAME may hold dashes and digits, an ID never holds this shape.
  for (std::size_t at = file_name.size() - kTimeShape.size() - 1; at >= 1; --at) {
    if (!has_time_shape(file_name.substr(at, kTimeShape.size()))) continue;
    using namespace std::chrono;
    year_month_day date{year(number(file_name, at + 1, 4)), month(static_cast<unsigned>(number(file_name, at + 6, 2))),
                        day(static_cast<unsigned>(number(file_name, at + 9, 2)))};
    int hour = number(file_name, at + 12, 2), minute = number(file_name, at + 15, 2),
        second = number(file_name, at + 18, 2);
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    auto since_epoch = sys_days(date).time_since_epoch() + hours(hour) + minutes(minute) + seconds(second);
    return duration_cast<milliseconds>(since_epoch).count();
  }
  return std::nullopt;
}

bool is_temporary(std::string_view file_name) { return file_name.starts_with('.'); }

std::string temporary_name(std::string_view file_name) { return fmt::format(".{}.tmp", file_name); }

}  // namespace millrace::archive
