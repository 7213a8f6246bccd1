#include "metrics/prometheus.h"

#include <fmt/format.h>

#include <cctype>

namespace millrace::metrics {
namespace {

// "GetRecords.IteratorAgeMilliseconds" → "get_records_iterator_age_milliseconds": a word begins
// at an upper-case letter after a lower-case one or a digit, or before a lower-case one after a
// run of capitals (S3Bucket → s3_bucket); anything not a letter or digit separates words.
std::string snake_case(std::string_view text) {
  std::string out;
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!is_upper(c) && !is_lower(c) && !is_digit(c)) {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (is_upper(c) && i > 0 && !out.empty() && out.back() != '_') {
      char before = text[i - 1];
      bool after_lower = is_lower(before) || is_digit(before);
      bool ends_capitals = is_upper(before) && i + 1 < text.size() && is_lower(text[i + 1]);
      if (after_lower || ends_capitals) out += '_';
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// "AWS/DynamoDB" → "aws_dynamodb": each part of a namespace is one word.
std::string namespace_words(std::string_view ns) {
  std::string out;
  for (char c : ns) {
    bool word = std::isalnum(static_cast<unsigned char>(c));
    if (word) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.front()))) out.insert(0, "_");
  return out;
}

bool ends_with_word(const std::string& name, std::string_view word) {
  return name == word || (name.size() > word.size() && name.ends_with(word) && name[name.size() - word.size() - 1] == '_');
}

bool is_time(Unit unit) { return unit == Unit::milliseconds || unit == Unit::seconds; }
bool is_counter(Unit unit) { return unit == Unit::count || unit == Unit::bytes; }

// The family's base name, before a counter's _total.
std::string base_name(const MetricId& id, Unit unit) {
  std::string name = namespace_words(id.ns) + "_" + snake_case(id.name);
  if (unit == Unit::bytes && !ends_with_word(name, "bytes")) name += "_bytes";
  if (is_time(unit)) {
    for (std::string_view word : {"milliseconds", "seconds"})
      if (ends_with_word(name, word)) name.resize(name.size() - word.size() - 1);
    name += "_seconds";
  }
  return name;
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\', out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void append_labels(std::string& out, const MetricId& id) {
  if (id.dimensions.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < id.dimensions.size(); ++i) {
    if (i) out += ',';
    out += snake_case(id.dimensions[i].name);
    out += "=\"";
    append_label_value(out, id.dimensions[i].value);
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const MetricId& id, double value) {
  out += name;
  append_labels(out, id);
  fmt::format_to(std::back_inserter(out), " {}\n", value);
}

}  // namespace

std::string prometheus_name(const MetricId& id, Unit unit) {
  std::string base = base_name(id, unit);
  return is_counter(unit) ? base + "_total" : base;
}

std::string prometheus_text(std::span<const Exposed> metrics) {
  std::string out;
  std::string family;
  for (const Exposed& metric : metrics) {
    std::string name = prometheus_name(metric.id, metric.unit);
    if (name != family) {
      family = name;
      fmt::format_to(std::back_inserter(out), "# HELP {} CloudWatch's {} {} ({}), since recording began.\n# TYPE {} {}\n",
                     name, metric.id.ns, metric.id.name, unit_name(metric.unit), name,
                     is_counter(metric.unit) ? "counter" : "summary");
    }
    if (is_counter(metric.unit)) {
      append_sample(out, name, metric.id, metric.total.sum);
    } else {
      double scale = metric.unit == Unit::milliseconds ? 0.001 : 1;
      append_sample(out, name + "_sum", metric.id, metric.total.sum * scale);
      append_sample(out, name + "_count", metric.id, metric.total.sample_count);
    }
  }
  return out;
}

}  // namespace millrace::metrics
