#include "metrics/layout.h"

#include <bit>

#include "cli/error.h"
#include "store/codec.h"

namespace millrace::metrics::layout {
namespace {

[[noreturn]] void corrupt(std::string_view what) {
  throw cli::Error(cli::Exit::unavailable, "", "corrupt store: " + std::string(what));
}

void append_name(std::string& out, std::string_view name) {
  out.append(name);
  out.push_back('\0');
}

// Reads a name ended by a zero byte at `pos`, and moves past it.
std::string_view take_name(std::string_view key, std::size_t& pos) {
  std::size_t end = key.find('\0', pos);
  if (end == std::string_view::npos) corrupt("a metric's key is cut short");
  std::string_view name = key.substr(pos, end - pos);
  pos = end + 1;
  return name;
}

}  // namespace

std::string series_prefix(const MetricId& id) {
  std::string key = name_prefix(id.ns, id.name);
  key.push_back(static_cast<char>(id.dimensions.size()));
  for (const Dimension& d : id.dimensions) {
    append_name(key, d.name);
    append_name(key, d.value);
  }
  return key;
}

std::string namespace_prefix(std::string_view ns) {
  std::string key(1, kPointTag);
  if (!ns.empty()) append_name(key, ns);
  return key;
}

std::string name_prefix(std::string_view ns, std::string_view name) {
  std::string key = namespace_prefix(ns);
  append_name(key, name);
  return key;
}

std::string past_series(std::string_view prefix) {
  // Every point of the series is its prefix and 4 bytes of minute: 5 bytes of 0xFF sort after them.
  std::string key(prefix);
  key.append(kMinuteBytes + 1, '\xff');
  return key;
}

void append_minute(std::string& key, Minute minute) { store::Encoder(key).u32(minute); }

std::string total_key(std::string_view prefix) {
  std::string key(1, kTotalTag);
  key += prefix.substr(1);
  return key;
}

std::string total_series(std::string_view key) {
  std::string prefix(1, kPointTag);
  prefix += key.substr(1);
  return prefix;
}

std::string_view point_series(std::string_view key) {
  if (!is_point(key) || key.size() < 1 + kMinuteBytes) corrupt("a metric's key is cut short");
  return key.substr(0, key.size() - kMinuteBytes);
}

Minute point_minute(std::string_view key) {
  if (key.size() < kMinuteBytes) corrupt("a metric's key is cut short");
  return store::Decoder(key.substr(key.size() - kMinuteBytes), "metric key").u32();
}

MetricId decode_series(std::string_view prefix) {
  if (!is_point(prefix)) corrupt("not a metric's key");
  std::size_t pos = 1;
  MetricId id;
  id.ns = take_name(prefix, pos);
  id.name = take_name(prefix, pos);
  if (pos >= prefix.size()) corrupt("a metric's key is cut short");
  auto count = static_cast<unsigned char>(prefix[pos++]);
  for (unsigned i = 0; i < count; ++i) {
    Dimension d;
    d.name = take_name(prefix, pos);
    d.value = take_name(prefix, pos);
    id.dimensions.push_back(std::move(d));
  }
  if (pos != prefix.size()) corrupt("a metric's key is too long");
  return id;
}

void encode_point(char* out, const Point& point) {
  std::string bytes;
  bytes.reserve(kPointBytes);
  store::Encoder e(bytes);
  e.u8(kPointLayout).u8(static_cast<std::uint8_t>(point.unit));
  for (double v : {point.set.sum, point.set.sample_count, point.set.minimum, point.set.maximum})
    e.u64(std::bit_cast<std::uint64_t>(v));
  bytes.copy(out, kPointBytes);
}

Point decode_point(std::string_view value) {
  if (value.size() != kPointBytes) corrupt("a metric's value has the wrong size");
  store::Decoder d(value, "metric value");
  if (d.u8() != kPointLayout) corrupt("unknown metric value layout");
  auto unit = unit_of(d.u8());
  if (!unit) corrupt("unknown metric unit");
  Point point;
  point.unit = *unit;
  point.set.sum = std::bit_cast<double>(d.u64());
  point.set.sample_count = std::bit_cast<double>(d.u64());
  point.set.minimum = std::bit_cast<double>(d.u64());
  point.set.maximum = std::bit_cast<double>(d.u64());
  return point;
}

std::string value_prefix(std::string_view dimension) {
  std::string key(1, kValueTag);
  append_name(key, dimension);
  return key;
}

std::string value_key(std::string_view dimension, std::string_view value) {
  std::string key = value_prefix(dimension);
  append_name(key, value);
  return key;
}

}  // namespace millrace::metrics::layout
