#include "metrics/dimension_values.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/codec.h"

namespace millrace::metrics {
namespace {

constexpr std::string_view kBounded[] = {"StreamName", "TableName", "FunctionName", "DeliveryStreamName"};

}  // namespace

bool bounded(std::string_view dimension) {
  return std::find(std::begin(kBounded), std::end(kBounded), dimension) != std::end(kBounded);
}

std::vector<std::string> value_keys(const MetricId& id) {
  std::vector<std::string> keys;
  for (const Dimension& d : id.dimensions)
    if (bounded(d.name)) keys.push_back(layout::value_key(d.name, d.value));
  return keys;
}

std::optional<std::string> admit(const store::Txn& txn, const MetricId& id) {
  MDB_dbi dbi = txn.dbs().metrics;
  for (const Dimension& d : id.dimensions) {
    if (!bounded(d.name)) continue;
    if (txn.get(dbi, layout::value_key(d.name, d.value))) continue;
    std::string prefix = layout::value_prefix(d.name);
    store::Cursor cursor(txn, dbi);
    std::size_t known = 0;
    for (bool ok = cursor.seek(prefix); ok && cursor.key().starts_with(prefix) && known < kMaxValuesPerDimension;
         ok = cursor.next())
      ++known;
    if (known >= kMaxValuesPerDimension)
      return fmt::format("{} values of {} are recorded already", kMaxValuesPerDimension, d.name);
  }
  return std::nullopt;
}

void touch(const store::Txn& txn, const std::vector<std::string>& keys, layout::Minute minute) {
  std::string value;
  store::Encoder(value).u32(minute);
  for (const std::string& key : keys) {
    // A commit may write an earlier minute after a later one: the latest stays.
    std::optional<std::string_view> known = txn.get(txn.dbs().metrics, key);
    if (known && store::Decoder(*known, "metric dimension value").u32() >= minute) continue;
    txn.put(txn.dbs().metrics, key, value);
  }
}

}  // namespace millrace::metrics
