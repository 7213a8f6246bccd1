#include "window/sketch.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace millrace::window;

namespace {

// mt19937_64's sequence is fixed by the standard; the distributions are written here, since
// the library's are not.
constexpr std::uint64_t kSeed = 20240521;

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1p-53; }  // [0, 1)
  double normal() {                                                            // Box-Muller
    double u = 1 - uniform();  // (0, 1]: log(u) is finite
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * uniform());
  }

 private:
  std::mt19937_64 engine_;
};

// PERCENTILE_DISC: the value of rank max(1, ceil(q n)) in sorted order.
double exact_quantile(std::vector<double> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  double rank = std::ceil(q * static_cast<double>(sorted.size()));
  auto i = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size())));
  return sorted[i - 1];
}

std::vector<double> quantiles_to_check() {
  std::vector<double> qs = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};
  for (int i = 1; i < 200; ++i) qs.push_back(i / 200.0);
  return qs;
}

// Every checked quantile of `values` is within `a` of the exact one (1e-12 for rounding).
void check_accuracy(const Sketch& sketch, const std::vector<double>& values, double a) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  REQUIRE(sketch.count() == values.size());
  for (double q : quantiles_to_check()) {
    double exact = exact_quantile(sorted, q);
    std::optional<double> got = sketch.quantile(q);
    REQUIRE(got);
    CAPTURE(q);
    CAPTURE(exact);
    CHECK(std::fabs(*got - exact) <= (a + 1e-12) * std::fabs(exact));
  }
}

Sketch sketch_of(const std::vector<double>& values) {
  Sketch sketch;
  for (double v : values) sketch.add(v);
  return sketch;
}

// 40% uniform positive integers up to a million, 40% negative lognormal, 20% zeros.
std::vector<double> mixed_sample(Random& random, int n) {
  std::vector<double> values;
  for (int i = 0; i < n; ++i) {
    double u = random.uniform();
    if (u < 0.4) {
      values.push_back(std::floor(random.uniform() * 1e6) + 1);
    } else if (u < 0.8) {
      values.push_back(-std::exp(3 * random.normal()));
    } else {
      values.push_back(0);
    }
  }
  return values;
}

}  // namespace

TEST_CASE("sketch: an empty sketch has no quantile") {
  Sketch sketch;
  CHECK(sketch.count() == 0);
  CHECK_FALSE(sketch.quantile(0.5));
  CHECK(sketch.relative_accuracy() == 0.01);
}

TEST_CASE("sketch: one value, zero and negatives are answered exactly") {
  Sketch one;
  one.add(-3.25);
  for (double q : {0.0, 0.5, 1.0}) CHECK(one.quantile(q) == -3.25);  // clamped to min = max
  Sketch zeros;
  zeros.add(0.0, 3);
  zeros.add(-0.0);
  CHECK(zeros.count() == 4);
  CHECK(zeros.quantile(0.5) == 0.0);
}

TEST_CASE("sketch: the minimum and maximum are exact") {
  Sketch sketch = sketch_of({7.5, -2, 1000.25, 3});
  CHECK(sketch.quantile(0) == -2);
  CHECK(sketch.quantile(1) == 1000.25);
}

TEST_CASE("sketch: NaN and infinities are ignored") {
  Sketch sketch;
  sketch.add(std::numeric_limits<double>::quiet_NaN());
  sketch.add(std::numeric_limits<double>::infinity());
  sketch.add(-std::numeric_limits<double>::infinity());
  CHECK(sketch.count() == 0);
  sketch.add(2);
  CHECK(sketch.quantile(0.5) == 2);
}

TEST_CASE("sketch: quantiles of uniform, lognormal and mixed samples are within 1%") {
  INFO("seed ", kSeed);  // printed with any failure
  Random random(kSeed);
  std::vector<double> uniform, lognormal;
  for (int i = 0; i < 100'000; ++i) uniform.push_back(random.uniform() * 1000);
  for (int i = 0; i < 100'000; ++i) lognormal.push_back(std::exp(2 * random.normal()));
  std::vector<double> mixed = mixed_sample(random, 100'000);
  SUBCASE("uniform") { check_accuracy(sketch_of(uniform), uniform, 0.01); }
  SUBCASE("lognormal") { check_accuracy(sketch_of(lognormal), lognormal, 0.01); }
  SUBCASE("mixed signs and zeros") { check_accuracy(sketch_of(mixed), mixed, 0.01); }
}

TEST_CASE("sketch: another relative accuracy is kept as stated") {
  INFO("seed ", kSeed);  // printed with any failure
  Random random(kSeed);
  std::vector<double> values = mixed_sample(random, 50'000);
  IndexMapping coarse(0.05);
  Sketch sketch(coarse);
  for (double v : values) sketch.add(v);
  CHECK(sketch.relative_accuracy() == 0.05);
  check_accuracy(sketch, values, 0.05);
  CHECK(sketch.bin_count() < sketch_of(values).bin_count());  // coarser: fewer buckets
}

TEST_CASE("sketch: a merged sketch answers as one sketch of all the values") {
  INFO("seed ", kSeed);  // printed with any failure
  Random random(kSeed + 1);
  std::vector<double> values = mixed_sample(random, 20'000);
  Sketch whole = sketch_of(values);
  std::vector<Sketch> parts(7);
  for (std::size_t i = 0; i < values.size(); ++i) parts[i % 7].add(values[i]);
  Sketch merged;
  for (const Sketch& part : parts) merged.merge(part);
  CHECK(merged.count() == whole.count());
  CHECK(merged.bin_count() == whole.bin_count());
  for (double q : quantiles_to_check()) {
    CAPTURE(q);
    CHECK(merged.quantile(q) == whole.quantile(q));
  }
  check_accuracy(merged, values, 0.01);

  SUBCASE("merging an empty sketch changes nothing") {
    merged.merge(Sketch{});
    CHECK(merged.quantile(0.5) == whole.quantile(0.5));
  }
  SUBCASE("a sketch merged with itself counts each value twice") {
    Sketch twice = whole;
    twice.merge(twice);
    std::vector<double> doubled = values;
    doubled.insert(doubled.end(), values.begin(), values.end());
    check_accuracy(twice, doubled, 0.01);
  }
}

TEST_CASE("sketch: values over 600 decades keep the bucket count bounded") {
  Sketch positive, negative;
  std::vector<double> values;
  for (int e = -30'000; e <= 30'000; ++e) values.push_back(std::pow(10.0, e / 100.0));
  for (double v : values) {
    positive.add(v);
    negative.add(-v);
  }
  CHECK(positive.bin_count() == Sketch::kMaxBins);  // collapsed: 600 decades need 69,076
  CHECK(negative.bin_count() == Sketch::kMaxBins);
  CHECK(positive.heap_bytes() <= (Sketch::kMaxBins + 1) * 8);  // growth stops at the bound

  // The largest magnitudes keep their accuracy; those collapsed near zero are overstated.
  std::vector<double> sorted = values;
  for (double q : {0.98, 0.99, 0.999, 1.0}) {
    double exact = exact_quantile(sorted, q);
    CAPTURE(q);
    CHECK(std::fabs(*positive.quantile(q) - exact) <= 0.010001 * exact);
    CHECK(std::fabs(*negative.quantile(1 - q) + exact) <= 0.010001 * exact);
  }
  CHECK(*positive.quantile(0.5) >= exact_quantile(sorted, 0.5));
  double previous = -std::numeric_limits<double>::infinity();
  for (int i = 0; i <= 1000; ++i) {  // collapsed or not, quantiles never decrease
    double v = *positive.quantile(i / 1000.0);
    CHECK(v >= previous);
    previous = v;
  }
}

TEST_CASE("sketch: a bucket counts beyond 32 bits exactly") {
  Sketch sketch;
  sketch.add(5.0, 5'000'000'000);
  sketch.add(1.0, 3);
  CHECK(sketch.count() == 5'000'000'003);
  CHECK(sketch.bin_count() == 3);  // 1.0, and 5.0 in two entries of 2^32 - 1 at most
  CHECK(std::fabs(*sketch.quantile(0.5) - 5) <= 0.05);
  CHECK(sketch.quantile(0) == 1.0);
  sketch.merge(sketch);
  CHECK(sketch.count() == 10'000'000'006);
  CHECK(sketch.bin_count() == 4);  // 10^10 in ceil(10^10 / (2^32 - 1)) = 3 entries
  CHECK(std::fabs(*sketch.quantile(0.0000000003) - 1) <= 0.01);
  CHECK(std::fabs(*sketch.quantile(0.0000000007) - 5) <= 0.05);
}

TEST_CASE("sketch: a sketch of few values is small") {
  Sketch sketch;
  CHECK(sketch.heap_bytes() == 0);
  sketch.add(42);
  CHECK(sketch.heap_bytes() == 8);
  for (int i = 0; i < 60; ++i) sketch.add(100 + i);  // a minute of one unicorn
  CHECK(sketch.bin_count() <= 61);
  CHECK(sketch.heap_bytes() <= 64 * 8);
  CHECK(sizeof(Sketch) <= 96);
}
