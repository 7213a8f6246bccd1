// Prefix: an object's place in the bucket, from a template in Firehose's expression language.
//
// A template is text with expressions !{namespace:value}:
//   !{timestamp:PATTERN}           the time of the object's oldest record, in UTC, formatted by
//                                  a Java DateTimeFormatter PATTERN (yyyy, yy, MM, MMM, dd, D, HH,
//                                  hh, mm, ss, SSS, E, EEEE, a, 'quoted text'); every timestamp
//                                  of one template formats the same instant
//   !{partitionKeyFromQuery:NAME}  the value of the partition key NAME (--partition-by),
//                                  encoded by path_value.h; records only
//   !{firehose:error-output-type}  why the records failed (processing-failed,
//                                  partitioning-failed); error prefixes only
//   !{firehose:random-string}      11 random letters and digits, new for each object
// A template without any expression is followed by yyyy/MM/dd/HH/, as Firehose does with a
// literal prefix. The object name is appended to the rendered prefix as is: a prefix ending in
// "/" is a directory.
//
// Whatever the values, a rendered prefix stays inside the bucket: a template is refused when it
// is absolute, holds NUL, an empty path component ("//") or one that begins with "." (".",
// "..", hidden names), and the values it takes from data are encoded.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lines/time.h"

namespace millrace::archive {

// The values one object's prefix is rendered with.
struct PrefixValues {
  lines::EpochMs time = 0;                  // the arrival time of the object's oldest record
  std::span<const std::string> partition;   // encoded values, in the order of the keys given to Prefix
  std::string_view error_type;              // for error prefixes
};

class Prefix {
 public:
  enum class Kind { records, errors };

  // Parses `text`. `keys` are the partition key names a records template may use; the values
  // given to render() follow their order. Throws cli::Error(usage) naming `option` for a
  // template that is not one, or that could leave the bucket.
  Prefix(std::string_view text, Kind kind, const std::vector<std::string>& keys, std::string_view option);

  std::string render(const PrefixValues& values) const;
  // The indexes (into `keys`) of the partition keys the template uses.
  const std::vector<std::size_t>& keys_used() const { return keys_used_; }

 private:
  struct Token {
    char letter;      // a pattern letter, or 0 for literal text
    int count = 0;    // how many times the letter repeats
    std::string text; // literal text
  };
  struct Part {
    enum class Type { literal, timestamp, partition_key, error_type, random_string } type;
    std::string text;           // literal
    std::vector<Token> pattern; // timestamp
    std::size_t key = 0;        // partition_key: index into keys
  };

  static std::vector<Token> parse_pattern(std::string_view pattern, std::string_view option);
  static void format_time(std::string& out, const std::vector<Token>& pattern, lines::EpochMs time);

  std::vector<Part> parts_;
  std::vector<std::size_t> keys_used_;
};

}  // namespace millrace::archive
