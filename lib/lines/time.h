// Time as millrace reads and writes it: one clock, ISO 8601, epoch numbers, durations, sizes.
//
// Every program reads the clock through now_ms(). MILLRACE_NOW (ISO 8601) sets the clock's
// starting point; it then advances with the real (steady) clock, so tests of retention, TTL and
// windows need no sleeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace millrace::lines {

// Milliseconds since the Unix epoch, UTC.
using EpochMs = std::int64_t;

// The program's clock. Throws cli::Error (usage) when MILLRACE_NOW is set but not ISO 8601.
EpochMs now_ms();

// Parses ISO 8601: YYYY-MM-DD, optionally followed by T (or a space) and hh:mm[:ss[.fraction]],
// optionally followed by Z or an offset ±hh[:mm]. No offset means UTC. Fractions finer than a
// millisecond are truncated. nullopt when `text` is not such a time.
std::optional<EpochMs> parse_iso8601(std::string_view text);
// The same, kNotATime when `text` is not such a time: for the loops that parse a time per
// record, as an optional returned from a function is built in memory byte by byte and read
// back whole, a store-forwarding stall per call.
inline constexpr EpochMs kNotATime = INT64_MIN;
EpochMs iso8601_ms(std::string_view text);

// A time given in data: ISO 8601, or an epoch number in seconds when below 10^11 and in
// milliseconds otherwise (10^11 s is the year 5138; 10^11 ms is 1973).
std::optional<EpochMs> parse_epoch_number(double value);

// Formats as 2026-11-23T10:00:00.123Z. Writes exactly kIsoLength characters to `out`.
inline constexpr std::size_t kIsoLength = 24;
void format_iso8601(EpochMs ms, char* out);
std::string format_iso8601(EpochMs ms);

// Parses a duration: an integer and a unit, ms, s, m, h or d ("250ms", "10s", "5m", "2h", "7d").
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// The shortest exact form of a duration ("90m" → "90m", 86400000 → "1d").
std::string format_duration(std::int64_t ms);

// Parses a size: plain bytes or an integer with KiB, MiB or GiB ("512KiB", "5MiB").
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace millrace::lines
