#include "table/capacity.h"

#include <algorithm>
#include <cmath>

#include "aws/attribute_value.h"

namespace millrace::table {
namespace {

// DynamoDB's capacity units: a write unit per KB written, a read unit per 4 KB read.
constexpr double kWriteUnitBytes = 1024, kReadUnitBytes = 4096;
// No value's DynamoDB size passes this many times its JSON text (see item_write_units).
constexpr std::size_t kMaxSizePerTextByte = 3;

}  // namespace

double write_units(std::size_t size) { return std::max(1.0, std::ceil(static_cast<double>(size) / kWriteUnitBytes)); }

double read_units(std::size_t size, bool consistent) {
  double units = std::ceil(static_cast<double>(size) / kReadUnitBytes);
  return consistent ? units : units / 2;
}

double item_read_units(std::size_t size, ItemRead read) {
  double units = read_units(std::max<std::size_t>(size, 1), read != ItemRead::eventual);
  return read == ItemRead::transactional ? kTransactionFactor * units : units;
}

double item_write_units(std::optional<std::size_t> replaced, std::optional<std::size_t> written) {
  double units = replaced ? write_units(*replaced) : 0;
  return written ? std::max(units, write_units(*written)) : units;
}

std::size_t item_size(std::string_view json) {
  thread_local aws::ItemEncoder encoder;
  return encoder.item_size(json).value_or(json.size());
}

double item_write_units(std::string_view json) {
  if (json.size() * kMaxSizePerTextByte <= kWriteUnitBytes) return 1;
  return write_units(item_size(json));
}

}  // namespace millrace::table
