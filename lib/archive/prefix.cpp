#include "archive/prefix.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "cli/error.h"

namespace millrace::archive {
namespace {

// Firehose's length of !{firehose:random-string}.
constexpr std::size_t kRandomStringLength = 11;
// A template renders the same checks whatever the time and values: letters of a pattern give
// digits or names, and values are encoded; so one rendering with sample values shows whether
// any rendering could leave the bucket.
constexpr lines::EpochMs kSampleTime = 1'795'428'000'000;  // 2026-11-23T10:00:00Z

constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

// The greatest repeat count of each supported pattern letter.
int max_count(char letter) {
  switch (letter) {
    case 'y': case 'u': case 'S': return 9;
    case 'M': case 'L': case 'E': return 4;
    case 'D': return 3;
    case 'd': case 'H': case 'h': case 'k': case 'K': case 'm': case 's': return 2;
    case 'a': return 1;
    default: return 0;
  }
}

void pad(std::string& out, long long value, int width) { fmt::format_to(std::back_inserter(out), "{:0{}}", value, width); }

std::string random_string() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string out;
  for (std::size_t i = 0; i < kRandomStringLength; ++i) out.push_back(kAlphabet[random() % kAlphabet.size()]);
  return out;
}

[[noreturn]] void refuse(std::string_view option, const std::string& what) {
  throw cli::Error(cli::Exit::usage, std::string(option), what);
}

}  // namespace

Prefix::Prefix(std::string_view text, Kind kind, const std::vector<std::string>& keys, std::string_view option) {
  std::size_t pos = 0;
  bool has_expression = false;
  while (pos < text.size()) {
    std::size_t open = text.find("!{", pos);
    if (open == std::string_view::npos) open = text.size();
    if (open > pos) parts_.push_back({Part::Type::literal, std::string(text.substr(pos, open - pos)), {}, 0});
    if (open == text.size()) break;
    std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) refuse(option, fmt::format("unclosed expression at {}", text.substr(open)));
    std::string_view expression = text.substr(open + 2, close - open - 2);
    std::size_t colon = expression.find(':');
    std::string_view space = expression.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : expression.substr(colon + 1);
    if (space == "timestamp") {
      parts_.push_back({Part::Type::timestamp, {}, parse_pattern(value, option), 0});
    } else if (space == "partitionKeyFromQuery") {
      if (kind == Kind::errors)
        refuse(option, "an error prefix cannot use partition keys: the records in it may have none");
      std::size_t key = 0;
      while (key < keys.size() && keys[key] != value) ++key;
      if (key == keys.size())
        refuse(option, fmt::format("!{{partitionKeyFromQuery:{}}} names no --partition-by key", value));
      parts_.push_back({Part::Type::partition_key, {}, {}, key});
      if (std::find(keys_used_.begin(), keys_used_.end(), key) == keys_used_.end()) keys_used_.push_back(key);
    } else if (space == "firehose" && value == "error-output-type") {
      if (kind == Kind::records) refuse(option, "!{firehose:error-output-type} is for --error-prefix only");
      parts_.push_back({Part::Type::error_type, {}, {}, 0});
    } else if (space == "firehose" && value == "random-string") {
      parts_.push_back({Part::Type::random_string, {}, {}, 0});
    } else {
      refuse(option, fmt::format("unknown expression !{{{}}}", expression));
    }
    has_expression = true;
    pos = close + 1;
  }
  if (!has_expression) {
    parts_.push_back({Part::Type::timestamp, {}, parse_pattern("yyyy/MM/dd/HH", option), 0});
    parts_.push_back({Part::Type::literal, "/", {}, 0});
  }

  std::vector<std::string> sample(keys.size(), "x");
  std::string rendered = render({kSampleTime, sample, "processing-failed"});
  if (rendered.starts_with('/')) refuse(option, "a prefix is relative to the bucket: it cannot begin with /");
  if (rendered.find('\0') != std::string::npos) refuse(option, "a prefix cannot hold NUL");
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = rendered.find('/', start);
    bool last = slash == std::string::npos;
    std::string_view component = std::string_view(rendered).substr(start, last ? std::string::npos : slash - start);
    if (component.starts_with('.'))
      refuse(option, fmt::format("a path component cannot begin with \".\" (\"{}\")", component));
    if (component.empty() && !last && start > 0) refuse(option, "a prefix cannot hold an empty component (//)");
    if (last) break;
    start = slash + 1;
  }
}

std::vector<Prefix::Token> Prefix::parse_pattern(std::string_view pattern, std::string_view option) {
  std::vector<Token> tokens;
  auto literal = [&](char c) {
    if (tokens.empty() || tokens.back().letter != 0) tokens.push_back({0, 0, {}});
    tokens.back().text.push_back(c);
  };
  if (pattern.empty()) refuse(option, "!{timestamp:} needs a pattern, such as yyyy/MM/dd");
  for (std::size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {  // 'quoted text'; '' is a quote
      std::size_t end = i + 1;
      if (end < pattern.size() && pattern[end] == '\'') {
        literal('\'');
        i = end + 1;
        continue;
      }
      for (; end < pattern.size(); ++end) {
        if (pattern[end] != '\'') {
          literal(pattern[end]);
        } else if (end + 1 < pattern.size() && pattern[end + 1] == '\'') {
          literal('\'');
          ++end;
        } else {
          break;
        }
      }
      if (end == pattern.size()) refuse(option, fmt::format("unclosed quote in timestamp pattern {}", pattern));
      i = end + 1;
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      std::size_t end = i;
      while (end < pattern.size() && pattern[end] == c) ++end;
      int count = static_cast<int>(end - i);
      if (count > max_count(c))
        refuse(option, fmt::format("timestamp pattern letter {} {} not supported (in {})", std::string(end - i, c),
                                   max_count(c) == 0 ? "is" : "repeated so often is", pattern));
      tokens.push_back({c, count, {}});
      i = end;
    } else if (c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
      refuse(option, fmt::format("timestamp pattern character {} is reserved (in {})", c, pattern));
    } else {
      literal(c);
      ++i;
    }
  }
  return tokens;
}

void Prefix::format_time(std::string& out, const std::vector<Token>& pattern, lines::EpochMs time) {
  using namespace std::chrono;
  sys_time<milliseconds> instant{milliseconds(time)};
  sys_days day = floor<days>(instant);
  year_month_day date{day};
  hh_mm_ss clock{instant - day};
  int year = static_cast<int>(date.year());
  auto month = static_cast<unsigned>(date.month());
  auto hour = static_cast<int>(clock.hours().count());
  long long millis = clock.subseconds().count();
  for (const Token& token : pattern) {
    int n = token.count;
    switch (token.letter) {
      case 0: out.append(token.text); break;
      case 'y': case 'u': n == 2 ? pad(out, year % 100, 2) : pad(out, year, n); break;
      case 'M': case 'L':
        if (n <= 2) pad(out, month, n);
        else out.append(n == 3 ? kMonths[month - 1].substr(0, 3) : kMonths[month - 1]);
        break;
      case 'd': pad(out, static_cast<unsigned>(date.day()), n); break;
      case 'D': pad(out, (day - sys_days{date.year() / January / 1}).count() + 1, n); break;
      case 'H': pad(out, hour, n); break;
      case 'k': pad(out, hour == 0 ? 24 : hour, n); break;
      case 'K': pad(out, hour % 12, n); break;
      case 'h': pad(out, hour % 12 == 0 ? 12 : hour % 12, n); break;
      case 'm': pad(out, clock.minutes().count(), n); break;
      case 's': pad(out, clock.seconds().count(), n); break;
      case 'S': {
        std::string digits = fmt::format("{:03}000000", millis);
        out.append(digits, 0, static_cast<std::size_t>(n));
        break;
      }
      case 'E': {
        std::string_view name = kWeekdays[weekday(day).c_encoding()];
        out.append(n == 4 ? name : name.substr(0, 3));
        break;
      }
      case 'a': out.append(hour < 12 ? "AM" : "PM"); break;
    }
  }
}

std::string Prefix::render(const PrefixValues& values) const {
  std::string out;
  for (const Part& part : parts_) {
    switch (part.type) {
      case Part::Type::literal: out.append(part.text); break;
      case Part::Type::timestamp: format_time(out, part.pattern, values.time); break;
      case Part::Type::partition_key: out.append(values.partition[part.key]); break;
      case Part::Type::error_type: out.append(values.error_type); break;
      case Part::Type::random_string: out.append(random_string()); break;
    }
  }
  return out;
}

}  // namespace millrace::archive
