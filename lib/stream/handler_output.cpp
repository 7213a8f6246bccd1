#include "stream/handler_output.h"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace millrace::stream {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno != EINTR) {
      return;
    }
  }
}

}  // namespace

std::optional<std::vector<std::string>> parse_batch_response(std::string_view line) {
  // DOM, not on demand: the line must be valid JSON as a whole to count as a response.
  simdjson::padded_string padded(line);
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  simdjson::dom::element list;
  if (parser.parse(padded).get(object) || object["batchItemFailures"].get(list))
    return std::nullopt;
  std::vector<std::string> failures;
  if (list.is_null()) return failures;
  simdjson::dom::array array;
  if (list.get(array)) return std::nullopt;
  for (simdjson::dom::element item : array) {
    std::string_view id;
    simdjson::dom::object entry;
    if (item.get(entry) || entry["itemIdentifier"].get(id)) id = {};
    failures.emplace_back(id);
  }
  return failures;
}

void StdoutFilter::feed(std::string_view data) {
  if (passing_) {
    std::size_t newline = data.find('\n');
    std::size_t length = newline == std::string_view::npos ? data.size() : newline + 1;
    out_.buffer().append(data.substr(0, length));
    data.remove_prefix(length);
    passing_ = newline == std::string_view::npos;
  }
  held_.append(data);
  // Everything before the last line with more than blanks is written. A tail of blanks only is
  // written up to its last newline: what follows may be the indentation of a response.
  std::size_t last = held_.size();
  while (last > 0 && is_blank(held_[last - 1])) --last;
  std::size_t keep = last == 0 ? held_.rfind('\n') : held_.rfind('\n', last - 1);
  keep = keep == std::string::npos ? 0 : keep + 1;
  out_.buffer().append(held_, 0, keep);
  held_.erase(0, keep);
  std::size_t line_end = held_.find('\n');
  if ((line_end == std::string::npos ? held_.size() : line_end) > kMaxResponseLine) {
    passing_ = line_end == std::string::npos;
    out_.buffer().append(held_);
    held_.clear();
  }
  out_.maybe_flush();
}

std::vector<std::string> StdoutFilter::finish() {
  std::vector<std::string> failures;
  std::size_t line_end = std::min(held_.find('\n'), held_.size());
  std::string_view line(held_.data(), line_end);
  if (!std::all_of(line.begin(), line.end(), is_blank)) {
    if (auto response = parse_batch_response(line)) {
      failures = std::move(*response);
      held_.erase(0, std::min(line_end + 1, held_.size()));
    }
  }
  // A last line without its newline would run into the next handler's output.
  if (!held_.empty() && held_.back() != '\n') held_.push_back('\n');
  out_.buffer().append(held_);
  held_.clear();
  out_.flush();
  return failures;
}

StderrLines::StderrLines(std::string_view label) : prefix_length_(label.size() + 2) {
  line_.append(label).append(": ");
}

void StderrLines::feed(std::string_view data) {
  while (!data.empty()) {
    std::size_t newline = data.find('\n');
    std::size_t length = newline == std::string_view::npos ? data.size() : newline + 1;
    line_.append(data.substr(0, length));
    data.remove_prefix(length);
    if (newline != std::string_view::npos) {
      write_line();
    } else if (line_.size() - prefix_length_ > kMaxStderrLine) {
      line_.push_back('\n');
      write_line();
    }
  }
}

void StderrLines::finish() {
  if (line_.size() == prefix_length_) return;
  line_.push_back('\n');
  write_line();
}

void StderrLines::relabel(std::string_view label) {
  std::string line = std::string(label) + ": ";
  line.append(line_, prefix_length_);
  line_ = std::move(line);
  prefix_length_ = label.size() + 2;
}

void StderrLines::write_line() {
  write_fully(2, line_);
  line_.resize(prefix_length_);
}

}  // namespace millrace::stream
