#include "window/aggregates.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <typeinfo>
#include <unordered_set>

#include "lines/json.h"
#include "window/sketch.h"

namespace millrace::window {

namespace {

__extension__ typedef __int128 Int128;  // GCC's: exact sums of up to 2^63 64-bit integers

// x86-64's and AArch64's long double hold every int64, uint64 and double exactly, so that
// min and max compare across them with one conversion.
static_assert(std::numeric_limits<long double>::digits >= 64);

void write_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no infinity: a sum beyond doubles is no number
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", d);  // shortest text that reads back as d
}

// An integer as an integer while it fits 64 bits, and beyond as a double, which every JSON
// reader takes.
void write_integer(std::string& out, Int128 n) {
  if (n >= std::numeric_limits<std::int64_t>::min() &&
      n <= std::numeric_limits<std::int64_t>::max()) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(n));
  } else if (n > 0 && n <= std::numeric_limits<std::uint64_t>::max()) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<std::uint64_t>(n));
  } else {
    write_double(out, static_cast<double>(n));
  }
}

// A JSON number as simdjson typed it: int64 when it fits, uint64 above, else double.
struct Number {
  enum class Kind : std::uint8_t { int64, uint64, real } kind = Kind::int64;
  union {
    std::int64_t i = 0;
    std::uint64_t u;
    double d;
  };

  static std::optional<Number> of(Value v) {
    Number n;
    switch (v.kind()) {
      case Value::Kind::int64:
        n.i = v.int64();
        return n;
      case Value::Kind::uint64:
        n.kind = Kind::uint64;
        n.u = v.uint64();
        return n;
      case Value::Kind::real:
        n.kind = Kind::real;
        n.d = v.real();
        return n;
      default:
        return std::nullopt;
    }
  }
  long double exact() const {
    if (kind == Kind::int64) return static_cast<long double>(i);
    if (kind == Kind::uint64) return static_cast<long double>(u);
    return d;
  }
  void write(std::string& out) const {
    if (kind == Kind::real) return write_double(out, d);
    write_integer(out, kind == Kind::int64 ? Int128(i) : Int128(u));
  }
};

// The body every accumulator shares: check, then add, so that add changes nothing on an error.
template <class Self>
class Base : public Accumulator {
 public:
  ValueError add(Value value) override {
    if (ValueError error = self().check(value); error != ValueError::none) return error;
    if (value.present()) self().add_present(value);
    return ValueError::none;
  }
  ValueError merge(const Accumulator& other) override {
    assert(typeid(other) == typeid(Self));
    return self().merge_same(static_cast<const Self&>(other));
  }

 private:
  Self& self() { return static_cast<Self&>(*this); }
};

// count(*) counts every record; count(f) those where f is present and not null.
template <bool kEveryRecord>
class Count final : public Accumulator {
 public:
  ValueError check(Value) const override { return ValueError::none; }
  ValueError add(Value value) override {
    if (kEveryRecord || value.present()) ++count_;
    return ValueError::none;
  }
  ValueError merge(const Accumulator& other) override {
    assert(typeid(other) == typeid(Count));
    count_ += static_cast<const Count&>(other).count_;
    return ValueError::none;
  }
  void write(std::string& out) const override {
    fmt::format_to(std::back_inserter(out), "{}", count_);
  }

 private:
  std::uint64_t count_ = 0;
};

// The running total behind sum and avg: integers exact in 128 bits, doubles compensated.
struct Total {
  Int128 integer = 0;
  double real = 0;
  double compensation = 0;  // Neumaier: the low-order bits that `real` has lost so far
  std::uint64_t count = 0;
  bool any_real = false;

  void add_real(double x) {
    double t = real + x;
    compensation += std::fabs(real) >= std::fabs(x) ? (real - t) + x : (x - t) + real;
    real = t;
  }
  void add(const Number& n) {
    ++count;
    if (n.kind == Number::Kind::int64) {
      integer += n.i;
    } else if (n.kind == Number::Kind::uint64) {
      integer += n.u;
    } else {
      any_real = true;
      add_real(n.d);
    }
  }
  void merge(const Total& other) {
    integer += other.integer;
    add_real(other.real);
    compensation += other.compensation;
    count += other.count;
    any_real = any_real || other.any_real;
  }
  long double value() const {
    return static_cast<long double>(integer) + (static_cast<long double>(real) + compensation);
  }
};

// sum and avg: numbers only.
template <bool kAverage>
class Sum final : public Base<Sum<kAverage>> {
 public:
  ValueError check(Value value) const override {
    return !value.present() || value.is_number() ? ValueError::none : ValueError::wrong_type;
  }
  void add_present(Value v) { total_.add(*Number::of(v)); }
  ValueError merge_same(const Sum& other) {
    total_.merge(other.total_);
    return ValueError::none;
  }
  void write(std::string& out) const override {
    if (total_.count == 0) {
      out += "null";
    } else if (kAverage) {
      write_double(out, static_cast<double>(total_.value() / total_.count));
    } else if (total_.any_real) {
      write_double(out, static_cast<double>(total_.value()));
    } else {
      write_integer(out, total_.integer);
    }
  }

 private:
  Total total_;
};

// min and max: numbers, compared exactly across types, or strings, compared by bytes.
template <bool kMax>
class Extreme final : public Base<Extreme<kMax>> {
 public:
  ValueError add(Value value) override {
    // The common case, a number of the kind already kept, without the general checks: in
    // min(f) and max(f) of every record, this is where the time goes.
    if (holds_ == Holds::number && value.kind() == Value::Kind::int64 && number_.kind == Number::Kind::int64) {
      if (better(value.int64(), number_.i)) number_.i = value.int64();
      return ValueError::none;
    }
    if (holds_ == Holds::number && value.kind() == Value::Kind::real && number_.kind == Number::Kind::real) {
      if (better(value.real(), number_.d)) number_.d = value.real();
      return ValueError::none;
    }
    return Base<Extreme>::add(value);
  }
  ValueError check(Value value) const override {
    if (!value.present()) return ValueError::none;
    if (value.is_number())
      return holds_ != Holds::string ? ValueError::none : ValueError::wrong_type;
    if (value.kind() == Value::Kind::string)
      return holds_ != Holds::number ? ValueError::none : ValueError::wrong_type;
    return ValueError::wrong_type;
  }
  void add_present(Value v) {
    if (v.kind() == Value::Kind::string) return take(v.text());
    take(*Number::of(v));
  }
  ValueError merge_same(const Extreme& other) {
    if (other.holds_ == Holds::nothing) return ValueError::none;
    if (holds_ != Holds::nothing && holds_ != other.holds_) return ValueError::wrong_type;
    if (other.holds_ == Holds::number) {
      take(other.number_);
    } else {
      take(other.string_);
    }
    return ValueError::none;
  }
  void write(std::string& out) const override {
    if (holds_ == Holds::nothing) {
      out += "null";
    } else if (holds_ == Holds::number) {
      number_.write(out);
    } else {
      lines::append_json_string(out, string_);
    }
  }

 private:
  enum class Holds : std::uint8_t { nothing, number, string };
  template <class T>
  static bool better(const T& candidate, const T& kept) {
    return kMax ? kept < candidate : candidate < kept;  // ties keep the first seen
  }
  void take(const Number& n) {
    if (holds_ == Holds::nothing) {
      number_ = n;
    } else if (n.kind == number_.kind && n.kind != Number::Kind::uint64) {  // the common case, without x87
      if (n.kind == Number::Kind::int64 ? better(n.i, number_.i) : better(n.d, number_.d)) number_ = n;
    } else if (better(n.exact(), number_.exact())) {
      number_ = n;
    }
    holds_ = Holds::number;
  }
  void take(std::string_view s) {  // string_view compares as unsigned bytes
    if (holds_ == Holds::nothing || better(s, std::string_view(string_))) string_.assign(s);
    holds_ = Holds::string;
  }

  Holds holds_ = Holds::nothing;
  Number number_;
  std::string string_;  // empty, and so never allocated, while numbers are kept
};

// first and last: any value, kept as it was (objects and arrays as minified text).
template <bool kLast>
class Pick final : public Base<Pick<kLast>> {
 public:
  ValueError check(Value) const override { return ValueError::none; }
  void add_present(Value v) {
    if (!kLast && holds_ != Holds::nothing) return;
    if (auto n = Number::of(v)) {
      holds_ = Holds::number;
      number_ = *n;
    } else if (v.kind() == Value::Kind::boolean) {
      holds_ = Holds::boolean;
      boolean_ = v.boolean();
    } else {
      holds_ = v.kind() == Value::Kind::string ? Holds::string : Holds::json;
      text_.assign(v.text());
    }
  }
  ValueError merge_same(const Pick& other) {
    if (other.holds_ != Holds::nothing && (kLast || holds_ == Holds::nothing)) *this = other;
    return ValueError::none;
  }
  void write(std::string& out) const override {
    if (holds_ == Holds::nothing) {
      out += "null";
    } else if (holds_ == Holds::number) {
      number_.write(out);
    } else if (holds_ == Holds::boolean) {
      out += boolean_ ? "true" : "false";
    } else if (holds_ == Holds::string) {
      lines::append_json_string(out, text_);
    } else {
      out += text_;  // already JSON
    }
  }

 private:
  enum class Holds : std::uint8_t { nothing, number, boolean, string, json };
  Holds holds_ = Holds::nothing;
  bool boolean_ = false;
  Number number_;
  std::string text_;  // a string unescaped, or an object or array as JSON
};

// count_distinct: exact, over keys that tell types apart ("1" is not 1) but not the ways of
// writing one number (1, 1.0 and 1e0 are one value).
class CountDistinct final : public Base<CountDistinct> {
 public:
  ValueError check(Value) const override { return ValueError::none; }
  void add_present(Value v) { seen_.insert(key(v)); }
  ValueError merge_same(const CountDistinct& other) {
    seen_.insert(other.seen_.begin(), other.seen_.end());
    return ValueError::none;
  }
  void write(std::string& out) const override {
    fmt::format_to(std::back_inserter(out), "{}", seen_.size());
  }

 private:
  // A type letter and the value: 8 bytes for a number, so most keys fit std::string's
  // inline buffer and cost no allocation beyond the set's node.
  static std::string key(Value v) {
    auto tagged = [](char tag, auto bits) {
      std::string k(1 + sizeof bits, tag);
      std::memcpy(k.data() + 1, &bits, sizeof bits);
      return k;
    };
    if (auto n = Number::of(v)) {
      if (n->kind == Number::Kind::int64) return tagged('i', n->i);
      if (n->kind == Number::Kind::uint64) return tagged('u', n->u);
      double d = n->d;
      // 2^63 and 2^64: the ranges of int64 and uint64, exact in doubles.
      if (d == std::trunc(d) && d >= -0x1p63 && d < 0x1p63) return tagged('i', std::int64_t(d));
      if (d == std::trunc(d) && d >= 0x1p63 && d < 0x1p64) return tagged('u', std::uint64_t(d));
      return tagged('d', d);
    }
    if (v.kind() == Value::Kind::boolean) return v.boolean() ? "t" : "f";
    if (v.kind() == Value::Kind::string) return "s" + std::string(v.text());
    return "j" + std::string(v.text());  // objects and arrays: equal when their minified text is
  }

  std::unordered_set<std::string> seen_;
};

// p50, p90, p99 and percentile(f, q): numbers only, in a sketch.
class Percentile final : public Base<Percentile> {
 public:
  explicit Percentile(double q) : q_(q) {}
  ValueError check(Value value) const override {
    return !value.present() || value.is_number() ? ValueError::none : ValueError::wrong_type;
  }
  void add_present(Value v) {
    Number n = *Number::of(v);
    all_integers_ = all_integers_ && n.kind != Number::Kind::real;
    sketch_.add(static_cast<double>(n.exact()));
  }
  ValueError merge_same(const Percentile& other) {
    assert(q_ == other.q_);
    sketch_.merge(other.sketch_);
    all_integers_ = all_integers_ && other.all_integers_;
    return ValueError::none;
  }
  void write(std::string& out) const override {
    std::optional<double> v = sketch_.quantile(q_);
    if (!v) return void(out += "null");
    if (!all_integers_) return write_double(out, *v);
    // Integers in, an integer out: the estimate rounded, which is exact below 0.5 / a.
    write_integer(out, static_cast<Int128>(std::round(*v)));  // within the inputs' range
  }

 private:
  Sketch sketch_;
  double q_;
  bool all_integers_ = true;
};

template <class T>
std::unique_ptr<Accumulator> make(double) {
  return std::make_unique<T>();
}

template <int kPercent>
std::unique_ptr<Accumulator> make_percentile(double) {
  return std::make_unique<Percentile>(kPercent / 100.0);
}

std::unique_ptr<Accumulator> make_percentile_q(double q) {
  if (!(q > 0 && q <= 1)) return nullptr;  // NaN included
  return std::make_unique<Percentile>(q);
}

// "within 1%": IndexMapping::kDefaultRelativeAccuracy.
constexpr AggregateKind kKinds[] = {
    {"count", 0, "count(*)", "the number of records", make<Count<true>>},
    {"count", 1, "count(f)", "the number of records where f is present and not null",
     make<Count<false>>},
    {"sum", 1, "sum(f)", "the sum of the numbers f", make<Sum<false>>},
    {"min", 1, "min(f)", "the least number f, or the first string f in byte order",
     make<Extreme<false>>},
    {"max", 1, "max(f)", "the greatest number f, or the last string f in byte order",
     make<Extreme<true>>},
    {"avg", 1, "avg(f)", "the mean of the numbers f", make<Sum<true>>},
    {"first", 1, "first(f)", "the first value of f to arrive", make<Pick<false>>},
    {"last", 1, "last(f)", "the last value of f to arrive", make<Pick<true>>},
    {"count_distinct", 1, "count_distinct(f)",
     "the number of distinct values of f, exactly (1 and 1.0 are one value)", make<CountDistinct>},
    {"p50", 1, "p50(f)", "the median of the numbers f, within 1%", make_percentile<50>},
    {"p90", 1, "p90(f)", "the 90th percentile of the numbers f, within 1%", make_percentile<90>},
    {"p99", 1, "p99(f)", "the 99th percentile of the numbers f, within 1%", make_percentile<99>},
    {"percentile", 2, "percentile(f, q)",
     "the q-quantile of the numbers f, for 0 < q <= 1, within 1%", make_percentile_q},
};

}  // namespace

std::span<const AggregateKind> aggregate_kinds() { return kKinds; }

const AggregateKind* find_aggregate(std::string_view name, int arity) {
  for (const AggregateKind& kind : kKinds) {
    if (kind.name == name && kind.arity == arity) return &kind;
  }
  return nullptr;
}

}  // namespace millrace::window
