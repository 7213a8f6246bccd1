#include "window/value.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace millrace::window {

char* Arena::allocate(std::size_t size) {
  if (size == 0) return nullptr;
  if (size > capacity_ - used_) {
    // A string larger than a block gets a block of its own.
    capacity_ = std::max(kBlock, size);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(capacity_));
    if (blocks_.size() == 1) first_capacity_ = capacity_;
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  used_ += size;
  return at;
}

std::string_view Arena::copy(std::string_view bytes) {
  if (bytes.empty()) return {};
  char* at = allocate(bytes.size());
  std::memcpy(at, bytes.data(), bytes.size());
  return {at, bytes.size()};
}

void Arena::clear() {
  // The first block is kept when it has the usual size: an arena refilled for every batch
  // of lines then allocates nothing in the common case.
  if (blocks_.empty() || first_capacity_ != kBlock) {
    blocks_.clear();
    capacity_ = used_ = 0;
  } else {
    blocks_.resize(1);
    capacity_ = kBlock;
    used_ = 0;
  }
  first_capacity_ = capacity_;
}

Value Value::of(simdjson::dom::element element, Arena& arena) {
  using simdjson::dom::element_type;
  Value value;
  switch (element.type()) {
    case element_type::NULL_VALUE:
      value.kind_ = Kind::null;
      break;
    case element_type::BOOL:
      value.kind_ = Kind::boolean;
      value.boolean_ = element.get_bool().value_unsafe();
      break;
    case element_type::INT64:
      value.kind_ = Kind::int64;
      value.int64_ = element.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      value.kind_ = Kind::uint64;
      value.uint64_ = element.get_uint64().value_unsafe();
      break;
    case element_type::DOUBLE:
      value.kind_ = Kind::real;
      value.real_ = element.get_double().value_unsafe();
      break;
    case element_type::STRING: {
      value.kind_ = Kind::string;
      std::string_view text = arena.copy(element.get_string().value_unsafe());
      value.text_ = text.data();
      value.size_ = static_cast<std::uint32_t>(text.size());
      break;
    }
    case element_type::ARRAY:
    case element_type::OBJECT: {
      value.kind_ = Kind::json;
      std::string_view text = arena.copy(simdjson::minify(element));
      value.text_ = text.data();
      value.size_ = static_cast<std::uint32_t>(text.size());
      break;
    }
  }
  return value;
}

}  // namespace millrace::window
