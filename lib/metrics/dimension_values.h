// Dimension values taken from names in the data, and their bound.
//
// Most dimensions of the metrics millrace records have few values (a shard id, an operation);
// those whose value is a name a user or a client chooses (StreamName, TableName, FunctionName,
// DeliveryStreamName) could have any number, each a metric of its own for 15 days. Their
// values are kept in the `metrics` database (under 'v', metrics/layout.h) with the last minute
// a point of them was written; a metric with a value not yet known is recorded only while
// fewer than kMaxValuesPerDimension values of that dimension are known. Past the bound, the
// metric is not recorded (the recorder says so once, on stderr) until values are forgotten:
// a value not recorded for 15 days goes with its points (metrics/retention.h). A thousand
// streams, tables or groups is twice Kinesis' default quota of streams per account.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/layout.h"
#include "metrics/metric.h"
#include "store/env.h"

namespace millrace::metrics {

inline constexpr std::size_t kMaxValuesPerDimension = 1000;

// Whether `dimension`'s values come from names in the data.
bool bounded(std::string_view dimension);

// The keys of the values of `id`'s bounded dimensions.
std::vector<std::string> value_keys(const MetricId& id);

// Whether `id`, not yet in the store, may be recorded: nullopt, or why not (the dimension whose
// bound its value would pass).
std::optional<std::string> admit(const store::Txn& txn, const MetricId& id);

// Notes, in a write transaction, that points of the values `keys` were written at `minute`.
void touch(const store::Txn& txn, const std::vector<std::string>& keys, layout::Minute minute);

}  // namespace millrace::metrics
