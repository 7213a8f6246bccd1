#include "window/record.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace millrace::window {
namespace {

constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15;  // 2^64 divided by the golden ratio

// One step of the group key's hash: multiply-rotate (as rustc's FxHash), a few cycles.
std::uint64_t mix(std::uint64_t h, std::uint64_t word) { return (std::rotl(h, 5) ^ word) * kMultiplier; }

template <class T>
T load(const char* at) {
  T word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Hashes `bytes` 8 at a time; the last 1 to 8 with loads that may overlap what came before but
// never reach past the end.
std::uint64_t mix_bytes(std::uint64_t h, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  h = mix(h, n);
  for (; n > 8; p += 8, n -= 8) h = mix(h, load<std::uint64_t>(p));
  if (bytes.size() >= 8) return mix(h, load<std::uint64_t>(bytes.data() + bytes.size() - 8));
  if (n >= 4) return mix(h, load<std::uint32_t>(p) | std::uint64_t{load<std::uint32_t>(p + n - 4)} << 32);
  if (n > 0) return mix(h, std::uint64_t{static_cast<unsigned char>(p[0])} | std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
                             std::uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
  return h;
}

// The size of a part of the key.
std::size_t part_size(char tag, std::size_t bytes) {
  if (tag == 'n') return 1;
  if (tag == 'i' || tag == 'u') return 1 + sizeof(std::uint64_t);
  return 1 + sizeof(std::uint32_t) + bytes;
}

// Reads a T at `pos` of `key` and moves past it.
template <class T>
T take(std::string_view key, std::size_t& pos) {
  T value;
  std::memcpy(&value, key.data() + pos, sizeof value);
  pos += sizeof value;
  return value;
}

}  // namespace

void write_key_json(std::string_view key, std::string& out, std::vector<std::size_t>& ends) {
  for (std::size_t pos = 0; pos < key.size();) {
    char tag = key[pos++];
    switch (tag) {
      case 'n':
        out.append("null");
        break;
      case 'i':
        fmt::format_to(std::back_inserter(out), "{}", take<std::int64_t>(key, pos));
        break;
      case 'u':
        fmt::format_to(std::back_inserter(out), "{}", take<std::uint64_t>(key, pos));
        break;
      default: {  // 's' and 'j'
        auto size = take<std::uint32_t>(key, pos);
        std::string_view bytes = key.substr(pos, size);
        pos += size;
        if (tag == 's') {
          lines::append_json_string(out, bytes);  // escapes as simdjson::minify does
        } else {
          out.append(bytes);
        }
      }
    }
    ends.push_back(out.size());
    out.push_back('\n');
  }
}

// The fields in the order a Projection reads them (--by, then each aggregate field once), and
// per aggregate the index of its field's value.
Projection::Layout Projection::layout(std::vector<lines::Field> by, const std::vector<SelectItem>& select) {
  std::size_t by_count = by.size();
  Layout layout{std::move(by), {}};
  std::vector<lines::Field>& fields = layout.fields;
  for (const SelectItem& item : select) {
    if (item.kind != SelectItem::Kind::aggregate) continue;
    int value = -1;
    if (item.field) {
      auto same = std::find_if(fields.begin() + static_cast<std::ptrdiff_t>(by_count), fields.end(),
                               [&](const lines::Field& f) { return f.spec() == item.field->spec(); });
      value = static_cast<int>(same - fields.begin() - static_cast<std::ptrdiff_t>(by_count));
      if (same == fields.end()) fields.push_back(*item.field);
    }
    layout.aggregate_value.push_back(value);
  }
  return layout;
}

Projection::Projection(Layout layout, std::size_t by_count, std::optional<std::size_t> time_slot)
    : fields_(std::move(layout.fields)), field_set_(fields_), by_count_(by_count),
      value_count_(fields_.size() - by_count - (time_slot ? 1 : 0)),
      aggregate_value_(std::move(layout.aggregate_value)), time_slot_(time_slot), parts_(by_count),
      minified_(by_count) {}

Projection::Projection(std::vector<lines::Field> by, const std::vector<SelectItem>& select)
    : Projection(layout(by, select), by.size(), std::nullopt) {}

Projection Projection::with_time(const lines::Field& time) const {
  Layout more{fields_, aggregate_value_};
  more.fields.push_back(time);
  return Projection(std::move(more), by_count_, fields_.size());
}

Projection::KeyPart Projection::key_part(const std::optional<simdjson::dom::element>& value, std::string& minified) {
  using simdjson::dom::element_type;
  if (!value) return {};
  switch (value->type()) {
    case element_type::NULL_VALUE:
      return {};
    case element_type::STRING:
      return {'s', 0, value->get_string().value_unsafe()};
    case element_type::INT64:
      return {'i', static_cast<std::uint64_t>(value->get_int64().value_unsafe()), {}};
    case element_type::UINT64:
      return {'u', value->get_uint64().value_unsafe(), {}};
    default:
      minified = simdjson::minify(*value);
      return {'j', 0, minified};
  }
}

Record Projection::read(simdjson::dom::element record, Arena& arena, Value* values) {
  field_set_.find_all(record, found_);
  // The key is written once, where it stays, and hashed from the values it is made of: building
  // it elsewhere and then copying and hashing its bytes would read back stores still in flight.
  std::size_t size = 0;
  std::uint64_t hash = 0;
  for (std::size_t i = 0; i < by_count_; ++i) {
    const KeyPart& part = parts_[i] = key_part(found_[i], minified_[i]);
    size += part_size(part.tag, part.bytes.size());
    hash = part.tag == 's' || part.tag == 'j' ? mix_bytes(mix(hash, part.tag), part.bytes) : mix(mix(hash, part.tag), part.number);
  }
  char* key = arena.allocate(size);
  char* at = key;
  for (std::size_t i = 0; i < by_count_; ++i) {
    const KeyPart& part = parts_[i];
    *at++ = part.tag;
    if (part.tag == 'i' || part.tag == 'u') {
      std::memcpy(at, &part.number, sizeof part.number);
      at += sizeof part.number;
    } else if (part.tag != 'n') {
      auto bytes = static_cast<std::uint32_t>(part.bytes.size());
      std::memcpy(at, &bytes, sizeof bytes);
      std::memcpy(at + sizeof bytes, part.bytes.data(), part.bytes.size());
      at += sizeof bytes + part.bytes.size();
    }
  }
  for (std::size_t i = 0; i < value_count_; ++i) {
    const auto& element = found_[by_count_ + i];
    values[i] = element ? Value::of(*element, arena) : Value{};
  }
  Record read;
  read.key = {key, size};
  read.hash = static_cast<std::size_t>(hash ^ (hash >> 32));  // the high half into the bits that pick a slot
  read.values = {values, value_count_};
  return read;
}

}  // namespace millrace::window
