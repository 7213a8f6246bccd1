#include "window/sketch.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iterator>
#include <limits>

namespace millrace::window {

namespace {

constexpr std::uint64_t kBinCapacity = std::numeric_limits<std::uint32_t>::max();

// The most entries a sign keeps for long (collapse folds the rest). Growing by doubling
// would take a full vector from 2048 entries to 4096; capping it here halves the worst case.
constexpr std::size_t kMostKept = Sketch::kMaxBins + 1;

template <class Bins>
void make_room(Bins& bins) {
  if (bins.size() == bins.capacity() && bins.size() >= Sketch::kMaxBins / 2) {
    bins.reserve(std::min(2 * bins.size(), kMostKept));
  }
}

}  // namespace

IndexMapping::IndexMapping(double relative_accuracy) : relative_accuracy_(relative_accuracy) {
  assert(relative_accuracy >= 1e-6 && relative_accuracy < 1);
  gamma_ = (1 + relative_accuracy) / (1 - relative_accuracy);
  // log1p keeps the digits that log(gamma) would lose to gamma's closeness to 1.
  log_gamma_ = std::log1p(2 * relative_accuracy / (1 - relative_accuracy));
  inverse_log_gamma_ = 1 / log_gamma_;
}

const IndexMapping& IndexMapping::standard() {
  static const IndexMapping mapping(kDefaultRelativeAccuracy);
  return mapping;
}

std::int32_t IndexMapping::index(double magnitude) const {
  // |log(x)| <= 745 for every positive double, so at a >= 1e-6 this fits 32 bits.
  return static_cast<std::int32_t>(std::ceil(std::log(magnitude) * inverse_log_gamma_));
}

double IndexMapping::value(std::int32_t index) const {
  // 2 gamma^i / (gamma + 1), in logarithms so that gamma^i alone cannot overflow.
  return std::exp(index * log_gamma_ + std::log(2 / (gamma_ + 1)));
}

void Sketch::add(double value, std::uint64_t times) {
  if (!std::isfinite(value) || times == 0) return;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += times;
  if (value > 0) {
    add_to(positive_, mapping_->index(value), times);
  } else if (value < 0) {
    add_to(negative_, mapping_->index(-value), times);
  } else {
    zero_count_ += times;
  }
}

void Sketch::merge(const Sketch& other) {
  assert(mapping_ == other.mapping_);
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  zero_count_ += other.zero_count_;
  merge_into(positive_, other.positive_);
  merge_into(negative_, other.negative_);
}

std::optional<double> Sketch::quantile(double q) const {
  assert(q >= 0 && q <= 1);
  if (count_ == 0) return std::nullopt;
  // The 1-based rank of PERCENTILE_DISC; its extremes are known exactly.
  double target = std::ceil(q * static_cast<double>(count_));
  if (target <= 1) return min_;
  if (target >= static_cast<double>(count_)) return max_;
  auto rank = static_cast<std::uint64_t>(target);
  auto clamp = [&](double v) { return std::clamp(v, min_, max_); };
  std::uint64_t seen = 0;
  for (auto bin = negative_.rbegin(); bin != negative_.rend(); ++bin) {  // most negative first
    seen += bin->count;
    if (seen >= rank) return clamp(-mapping_->value(bin->index));
  }
  seen += zero_count_;
  if (seen >= rank) return clamp(0.0);
  for (const Bin& bin : positive_) {
    seen += bin.count;
    if (seen >= rank) return clamp(mapping_->value(bin.index));
  }
  return max_;  // not reached: the counts add up to count_
}

std::size_t Sketch::heap_bytes() const {
  return (positive_.capacity() + negative_.capacity()) * sizeof(Bin);
}

void Sketch::add_to(Bins& bins, std::int32_t index, std::uint64_t times) {
  // A full sketch folds a value below its lowest bucket into that bucket, as collapse would.
  if (bins.size() >= kMaxBins && index < bins.front().index) index = bins.front().index;
  auto at = std::upper_bound(bins.begin(), bins.end(), index,
                             [](std::int32_t i, const Bin& bin) { return i < bin.index; });
  if (at != bins.begin() && std::prev(at)->index == index) {
    Bin& last = *std::prev(at);
    std::uint64_t fill = std::min(kBinCapacity - last.count, times);
    last.count += static_cast<std::uint32_t>(fill);
    times -= fill;
  }
  for (; times > 0; ++at) {
    std::uint64_t piece = std::min(kBinCapacity, times);
    std::size_t offset = at - bins.begin();
    make_room(bins);
    at = bins.insert(bins.begin() + offset, Bin{index, static_cast<std::uint32_t>(piece)});
    times -= piece;
  }
  if (bins.size() > kMaxBins) collapse(bins);
}

void Sketch::merge_into(Bins& bins, const Bins& other) {
  if (other.empty()) return;
  Bins merged;
  merged.reserve(std::min(bins.size() + other.size(), kMostKept));
  auto push = [&](std::int32_t index, std::uint64_t times) {
    if (!merged.empty() && merged.back().index == index) {
      std::uint64_t fill = std::min(kBinCapacity - merged.back().count, times);
      merged.back().count += static_cast<std::uint32_t>(fill);
      times -= fill;
    }
    for (; times > 0; times -= std::min(kBinCapacity, times)) {
      merged.push_back(Bin{index, static_cast<std::uint32_t>(std::min(kBinCapacity, times))});
    }
  };
  auto a = bins.cbegin(), b = other.cbegin();
  while (a != bins.cend() || b != other.cend()) {
    if (b == other.cend() || (a != bins.cend() && a->index <= b->index)) {
      push(a->index, a->count);
      ++a;
    } else {
      push(b->index, b->count);
      ++b;
    }
  }
  bins.swap(merged);  // `other` may be `bins` itself: it is read whole before this
  if (bins.size() > kMaxBins) collapse(bins);
  if (bins.capacity() > kMostKept) bins.shrink_to_fit();
}

void Sketch::collapse(Bins& bins) {
  // The entries beyond kMaxBins, and every entry of the bucket they fold into, become that
  // bucket: values nearest zero lose their accuracy so that the rest keep theirs.
  std::size_t extra = bins.size() - kMaxBins;
  std::int32_t target = bins[extra].index;
  auto end = std::upper_bound(bins.begin(), bins.end(), target,
                              [](std::int32_t i, const Bin& bin) { return i < bin.index; });
  std::uint64_t total = 0;
  for (auto bin = bins.begin(); bin != end; ++bin) total += bin->count;
  auto at = bins.erase(bins.begin(), end);
  for (; total > 0; ++at) {
    std::uint64_t piece = std::min(kBinCapacity, total);
    at = bins.insert(at, Bin{target, static_cast<std::uint32_t>(piece)});
    total -= piece;
  }
}

}  // namespace millrace::window
