// A mergeable quantile sketch with a stated relative error: DDSketch (Masson, Rim and Lee,
// "DDSketch: a fast and fully-mergeable quantile sketch with relative-error guarantees",
// VLDB 2019), as behind ks-window's p50, p90, p99 and percentile(f, q).
//
// A positive value x is counted in the bucket i = ceil(log_gamma(x)), gamma = (1 + a) / (1 - a),
// which holds the values of (gamma^(i-1), gamma^i]; the bucket answers for them all with
// 2 gamma^i / (gamma + 1), within a relative error a of each. Negative values are counted by
// their magnitude in a second set of buckets; zero has a count of its own and is exact.
//
// The guarantee. For 0 <= q <= 1, quantile(q) returns v with |v - x| <= a |x| (plus rounding
// in log and exp, about 1e-15 relative), where x is the value of rank max(1, ceil(q n)) among
// the n values added (SQL's PERCENTILE_DISC: the smallest value whose cumulative share is at
// least q; q = 0 is the minimum and q = 1 the maximum, both exact). Conditions:
//   - every value added is finite (add ignores NaN and infinities: JSON has neither);
//   - x's bucket was not collapsed. Each sign keeps at most kMaxBins buckets: beyond that the
//     buckets nearest zero are folded into the lowest one kept, which then overstates them.
//     At a = 0.01, 2048 buckets span magnitudes over a factor gamma^2048 (about 6e17), so only
//     data spread across more than 17 decades per sign loses accuracy, and only near zero;
//   - merged sketches share one IndexMapping (a merged sketch is the sketch of the union).
//
// Memory. Buckets are stored sparsely: a sorted vector of 8-byte (index, count) entries per
// sign, one entry per bucket in use, so a sketch of a few values holds a few entries, and at
// most 2 * kMaxBins entries (32 KiB) whatever it is fed. ks-window keeps one per window per
// group per percentile column, most of them holding tens of values.
//
// A Sketch is a value: not thread-safe; copy or move it freely between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace millrace::window {

// The map from values to bucket indices for one relative accuracy a. Sketches that merge
// must share one (the address is compared); it must outlive them.
class IndexMapping {
 public:
  // 1% is what Datadog and KDA users see by default: p99 of 250 ms is reported within 2.5 ms.
  static constexpr double kDefaultRelativeAccuracy = 0.01;

  // REQUIRES: 1e-6 <= relative_accuracy < 1 (below 1e-6 indices of extreme doubles would
  // overflow 32 bits).
  explicit IndexMapping(double relative_accuracy);
  // The mapping of kDefaultRelativeAccuracy, shared by every sketch that does not name one.
  static const IndexMapping& standard();

  double relative_accuracy() const { return relative_accuracy_; }
  // REQUIRES: magnitude > 0 and finite.
  std::int32_t index(double magnitude) const;
  // The value a bucket answers with: within relative_accuracy() of every value it holds.
  double value(std::int32_t index) const;

 private:
  double relative_accuracy_;
  double gamma_;
  double log_gamma_;
  double inverse_log_gamma_;  // multiplying is cheaper than dividing, once per value added
};

class Sketch {
 public:
  // Buckets per sign. 2048 covers 17 decades at 1% (see above) in at most 16 KiB per sign.
  static constexpr std::size_t kMaxBins = 2048;

  explicit Sketch(const IndexMapping& mapping = IndexMapping::standard()) : mapping_(&mapping) {}

  // Counts `value` `times` times. NaN and infinities are ignored.
  void add(double value, std::uint64_t times = 1);
  // Adds every value of `other`, as if each had been added here.
  // REQUIRES: other uses the same IndexMapping.
  void merge(const Sketch& other);
  // The q-quantile, within the relative error stated above; nullopt when the sketch is empty.
  // REQUIRES: 0 <= q <= 1.
  std::optional<double> quantile(double q) const;

  std::uint64_t count() const { return count_; }
  double relative_accuracy() const { return mapping_->relative_accuracy(); }
  // Bucket entries in use (both signs); at most 2 * kMaxBins, plus one per 2^32 values
  // that a single bucket holds beyond its first 2^32 - 1.
  std::size_t bin_count() const { return positive_.size() + negative_.size(); }
  // Bytes allocated on the heap, for memory accounting.
  std::size_t heap_bytes() const;

 private:
  // One bucket: its index and how many values it holds. A bucket holding 2^32 values or more
  // continues in further entries of the same index, so counts stay exact in 8 bytes.
  struct Bin {
    std::int32_t index;
    std::uint32_t count;
  };
  // The buckets of one sign, sorted by index, the lowest collapsed beyond kMaxBins.
  using Bins = std::vector<Bin>;
  static void add_to(Bins& bins, std::int32_t index, std::uint64_t times);
  static void merge_into(Bins& bins, const Bins& other);
  static void collapse(Bins& bins);

  const IndexMapping* mapping_;
  Bins positive_;
  Bins negative_;  // by magnitude: index(-x) is index(x)
  std::uint64_t zero_count_ = 0;
  std::uint64_t count_ = 0;
  // The exact extremes: quantile(0) and quantile(1) return them, and every answer is clamped
  // between them, which can only bring it closer to the true value.
  double min_ = 0;
  double max_ = 0;
};

}  // namespace millrace::window
