#include "store/decimal.h"

#include <algorithm>

namespace millrace::store {
namespace {

// Written exponents are read up to this magnitude: far beyond any number DynamoDB stores
// (10^±130), and small enough that adding digit counts to them never overflows.
constexpr std::int64_t kExponentBound = 1'000'000'000'000'000;
// Arithmetic aligns the operands' exponents by writing zeros: at most this many.
constexpr std::int64_t kMaxAlignment = 100'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A JSON number's text, split: [-] int [. frac] [e exp].
struct NumberText {
  bool negative = false;
  std::string_view whole, fraction;
  std::int64_t exponent = 0;  // as written, bounded by kExponentBound

  std::size_t size() const { return whole.size() + fraction.size(); }
  char digit(std::size_t k) const {
    return k < whole.size() ? whole[k] : fraction[k - whole.size()];
  }
};

// Java's BigDecimal (DynamoDB's reader) takes written exponents that fit an int32.
constexpr std::int64_t kMaxDynamoDbExponent = INT32_MAX;

std::optional<NumberText> split(std::string_view text, NumberSyntax syntax = NumberSyntax::json) {
  const bool json = syntax == NumberSyntax::json;
  NumberText n;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || (!json && text[i] == '+'))) n.negative = text[i++] == '-';
  std::size_t start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (json && (i == start || (text[start] == '0' && i - start > 1))) return std::nullopt;
  n.whole = text.substr(start, i - start);
  if (i < text.size() && text[i] == '.') {
    start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (json && i == start) return std::nullopt;
    n.fraction = text.substr(start, i - start);
  }
  if (n.size() == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool minus = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    start = i;
    while (i < text.size() && is_digit(text[i])) {
      n.exponent = std::min(n.exponent * 10 + (text[i] - '0'), kExponentBound);
      ++i;
    }
    if (i == start || (!json && n.exponent > kMaxDynamoDbExponent)) return std::nullopt;
    if (minus) n.exponent = -n.exponent;
  }
  if (i != text.size()) return std::nullopt;
  return n;
}

// The significant digits of a number: positions first..last (inclusive) of its digits, and the
// exponent of the first, so that the value is 0.d(first)…d(last) × 10^adjusted.
struct Significand {
  std::size_t first = 0, last = 0;
  std::int64_t adjusted = 0;
  bool zero = true;
};

Significand significand(const NumberText& n) {
  Significand s;
  std::size_t size = n.size();
  while (s.first < size && n.digit(s.first) == '0') ++s.first;
  if (s.first == size) return s;
  s.zero = false;
  s.last = size - 1;
  while (n.digit(s.last) == '0') --s.last;
  s.adjusted =
      static_cast<std::int64_t>(n.whole.size()) - static_cast<std::int64_t>(s.first) + n.exponent;
  return s;
}

// Magnitudes as digit strings without leading zeros, at one exponent.
int compare_magnitudes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return (c > 0) - (c < 0);
}

std::string add_magnitudes(std::string_view a, std::string_view b) {
  std::string sum;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    sum.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(sum.begin(), sum.end());
  return sum;
}

// a - b, for a >= b.
std::string subtract_magnitudes(std::string_view a, std::string_view b) {
  std::string difference;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int d = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    difference.push_back(static_cast<char>('0' + (d + 10) % 10));
  }
  while (difference.size() > 1 && difference.back() == '0') difference.pop_back();
  std::reverse(difference.begin(), difference.end());
  return difference;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text, NumberSyntax syntax) {
  auto n = split(text, syntax);
  if (!n) return std::nullopt;
  Decimal d;
  d.digits_.clear();
  for (std::size_t k = 0; k < n->size(); ++k) {
    char c = n->digit(k);
    if (!d.digits_.empty() || c != '0') d.digits_.push_back(c);
  }
  if (d.digits_.empty()) d.digits_ = "0";
  d.negative_ = n->negative && !d.is_zero();
  d.exponent_ = n->exponent - static_cast<std::int64_t>(n->fraction.size());
  return d;
}

std::string Decimal::plain() const {
  std::string out;
  if (negative_) out.push_back('-');
  if (exponent_ >= 0) {
    out += digits_;
    if (!is_zero()) out.append(static_cast<std::size_t>(exponent_), '0');
    return out;
  }
  auto scale = static_cast<std::size_t>(-exponent_);
  if (digits_.size() > scale) {
    out.append(digits_, 0, digits_.size() - scale).push_back('.');
    out.append(digits_, digits_.size() - scale);
  } else {
    out.append("0.").append(scale - digits_.size(), '0').append(digits_);
  }
  return out;
}

std::string_view limit_message(NumberLimit limit) {
  switch (limit) {
    case NumberLimit::precision: return "DynamoDB only supports precision up to 38 digits";
    case NumberLimit::overflow:
      return "Number overflow. Attempting to store a number with magnitude larger than supported range";
    case NumberLimit::underflow:
      return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    case NumberLimit::ok: break;
  }
  return {};
}

NumberLimit Decimal::limit() const {
  if (is_zero()) return NumberLimit::ok;
  if (significant().size() > kMaxNumberDigits) return NumberLimit::precision;
  if (adjusted_exponent() > kMaxDecimalExponent) return NumberLimit::overflow;
  if (adjusted_exponent() < kMinDecimalExponent) return NumberLimit::underflow;
  return NumberLimit::ok;
}

std::string_view Decimal::significant() const {
  if (is_zero()) return {};
  std::string_view digits(digits_);
  return digits.substr(0, digits.find_last_not_of('0') + 1);
}

void Decimal::append_canonical(std::string& out) const {
  if (is_zero()) {
    out.push_back('0');
    return;
  }
  if (negative_) out.push_back('-');
  std::string_view d = significant();
  auto n = static_cast<std::int64_t>(d.size());
  std::int64_t e = adjusted_exponent();
  if (e <= 0) {  // 0.000ddd
    out.append("0.");
    out.append(static_cast<std::size_t>(-e), '0');
    out.append(d);
  } else if (e >= n) {  // ddd000
    out.append(d);
    out.append(static_cast<std::size_t>(e - n), '0');
  } else {  // dd.d
    out.append(d.substr(0, static_cast<std::size_t>(e)));
    out.push_back('.');
    out.append(d.substr(static_cast<std::size_t>(e)));
  }
}

std::size_t Decimal::dynamodb_size() const {
  if (is_zero()) return 1;
  // DynamoDB stores base-100 digits aligned on the decimal point: an odd exponent (of 0.d1…)
  // puts d1 in the low half of its pair.
  std::size_t aligned = significant().size() + (adjusted_exponent() % 2 != 0 ? 1 : 0);
  return 1 + (aligned + 1) / 2 + (negative_ ? 1 : 0);
}

std::optional<Decimal> Decimal::add(const Decimal& a, const Decimal& b) {
  auto magnitude_bound = [](const Decimal& d) {
    return d.exponent_ > kMaxAlignment || d.exponent_ < -kMaxAlignment;
  };
  if (magnitude_bound(a) || magnitude_bound(b)) return std::nullopt;
  Decimal sum;
  sum.exponent_ = std::min(a.exponent_, b.exponent_);
  std::string x =
      a.is_zero()
          ? "0"
          : a.digits_ + std::string(static_cast<std::size_t>(a.exponent_ - sum.exponent_), '0');
  std::string y =
      b.is_zero()
          ? "0"
          : b.digits_ + std::string(static_cast<std::size_t>(b.exponent_ - sum.exponent_), '0');
  if (a.negative_ == b.negative_) {
    sum.digits_ = add_magnitudes(x, y);
    sum.negative_ = a.negative_;
  } else if (compare_magnitudes(x, y) >= 0) {
    sum.digits_ = subtract_magnitudes(x, y);
    sum.negative_ = a.negative_;
  } else {
    sum.digits_ = subtract_magnitudes(y, x);
    sum.negative_ = b.negative_;
  }
  if (sum.is_zero()) sum.negative_ = false;
  return sum;
}

std::optional<Decimal> Decimal::subtract(const Decimal& a, const Decimal& b) {
  Decimal negated = b;
  negated.negative_ = !b.negative_ && !b.is_zero();
  return add(a, negated);
}

int Decimal::compare(const Decimal& a, const Decimal& b) {
  int sign_a = a.is_zero() ? 0 : a.negative_ ? -1 : 1;
  int sign_b = b.is_zero() ? 0 : b.negative_ ? -1 : 1;
  if (sign_a != sign_b) return sign_a < sign_b ? -1 : 1;
  if (sign_a == 0) return 0;
  std::int64_t adjusted_a = a.exponent_ + static_cast<std::int64_t>(a.digits_.size());
  std::int64_t adjusted_b = b.exponent_ + static_cast<std::int64_t>(b.digits_.size());
  if (adjusted_a != adjusted_b) return adjusted_a < adjusted_b ? -sign_a : sign_a;
  // Same leading position: the digits decide, trailing zeros aside.
  std::string_view x(a.digits_), y(b.digits_);
  x = x.substr(0, x.find_last_not_of('0') + 1);
  y = y.substr(0, y.find_last_not_of('0') + 1);
  int c = x.compare(y);
  return c == 0 ? 0 : (c < 0 ? -sign_a : sign_a);
}

bool is_json_number(std::string_view text) { return split(text).has_value(); }

int compare_number_texts(std::string_view a, std::string_view b) {
  auto x = split(a), y = split(b);
  if (!x || !y) return 0;  // REQUIRES broken; any answer
  Significand sx = significand(*x), sy = significand(*y);
  int sign_x = sx.zero ? 0 : x->negative ? -1 : 1;
  int sign_y = sy.zero ? 0 : y->negative ? -1 : 1;
  if (sign_x != sign_y) return sign_x < sign_y ? -1 : 1;
  if (sign_x == 0) return 0;
  int magnitude = 0;  // of |a| against |b|
  if (sx.adjusted != sy.adjusted) {
    magnitude = sx.adjusted < sy.adjusted ? -1 : 1;
  } else {
    std::size_t i = sx.first, j = sy.first;
    for (; i <= sx.last && j <= sy.last; ++i, ++j) {
      char dx = x->digit(i), dy = y->digit(j);
      if (dx != dy) {
        magnitude = dx < dy ? -1 : 1;
        break;
      }
    }
    // Equal so far: the one with digits left (its last is not zero) is the larger.
    if (magnitude == 0 && (i <= sx.last) != (j <= sy.last)) magnitude = i <= sx.last ? 1 : -1;
  }
  return sign_x * magnitude;
}

}  // namespace millrace::store
