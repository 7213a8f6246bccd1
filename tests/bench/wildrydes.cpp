// wildrydes — the Wild Rydes unicorn telemetry producer of the AWS streaming
// workshop, as JSON lines on stdout (the shape of shared/data/wildrydes-sample.jsonl):
//
//   {"Name":"Night Spark","StatusTime":"2024-03-01T12:00:00.343Z","Latitude":47.641645,
//    "Longitude":-122.318801,"Distance":13.67,"HealthPoints":173,"MagicPoints":161}
//
// wildrydes [--unicorns N] [--records N] [--seconds N] [--rate realtime|max]
//           [--start ISO8601] [--seed N]
//
// Every simulated second each unicorn reports once, in a freshly shuffled order,
// with a StatusTime inside that second. Positions walk around Seattle, health and
// magic points drift by a few points, Distance is drawn anew each second.
//
// --rate realtime (default, as the workshop): one report per unicorn per second of
//   wall clock, each written when its StatusTime (the real clock) comes.
// --rate max: as fast as possible; StatusTime advances one simulated second per
//   round from --start. The output is then a pure function of the options: the
//   generator is xoshiro256** seeded by splitmix64 and all values are integers
//   printed as fixed-point, so every machine prints the same bytes.
//
// Output is formatted by hand into a 1 MiB buffer and written with write(2):
// the benchmarks need several million lines a second. A closed stdout (EPIPE)
// ends the program quietly with status 0; another write error ends it with 74.
//
// Build: g++ -std=c++20 -O2 tests/bench/wildrydes.cpp -lfmt -o wildrydes

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitIo = 74;

// Thrown to end the program with a status, after the message is printed.
struct Exit {
  int status;
};

// ---- random numbers: fixed algorithms, so a seed means the same output everywhere

struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    SplitMix64 sm{seed};
    for (auto& w : s_) w = sm.next();
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n): the high half of a 64×32-bit product (Lemire, without the
  // rejection step: for n ≤ 2^20 the bias is below 2^-44, and no rejection keeps
  // the number of draws per record fixed).
  uint32_t below(uint32_t n) {
    return static_cast<uint32_t>(((next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) {
    return lo + below(static_cast<uint32_t>(hi - lo + 1));
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

// ---- the herd

// The workshop's 200 names: 12 classic horses, then Color × Noun. The sample file's
// 200 leave out "Sunny Cloud" and "Sunny Dream", so those two come last: the
// default --unicorns 200 gives exactly the sample's set.
constexpr std::array<std::string_view, 12> kClassics = {
    "Artax",   "Binky",  "Black Beauty", "Brego",     "Bucephalus", "Copenhagen",
    "Epona",   "Marengo", "Pegasus",     "Rocinante", "Shadowfax",  "Silver Blaze"};
constexpr std::array<std::string_view, 19> kColors = {
    "Amber", "Azure", "Bright", "Crimson", "Dapple", "Ember",   "Frost",
    "Golden", "Hazel", "Ivory", "Jade",   "Lunar",  "Misty",   "Night",
    "Opal",  "Rainbow", "Scarlet", "Storm", "Sunny"};
constexpr std::array<std::string_view, 10> kNouns = {
    "Cloud", "Comet", "Dancer", "Dream", "Hoof", "Horn", "Mane", "Spark", "Star", "Wind"};

std::vector<std::string> base_names() {
  std::vector<std::string> names(kClassics.begin(), kClassics.end());
  std::vector<std::string> last;
  for (auto color : kColors) {
    for (auto noun : kNouns) {
      std::string name = fmt::format("{} {}", color, noun);
      (name == "Sunny Cloud" || name == "Sunny Dream" ? last : names).push_back(name);
    }
  }
  names.insert(names.end(), last.begin(), last.end());
  return names;  // 202 names
}

// Beyond the 202 base names, herds repeat them with a number: "Artax 2", ...
std::vector<std::string> herd_names(size_t n) {
  const auto base = base_names();
  std::vector<std::string> names;
  names.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t round = i / base.size();
    names.push_back(round == 0 ? base[i] : fmt::format("{} {}", base[i % base.size()], round + 1));
  }
  return names;
}

// Positions in micro-degrees, so the walk and its printing are exact integers.
constexpr int64_t kLatMin = 47'550'000, kLatMax = 47'650'000;
constexpr int64_t kLonMin = -122'380'000, kLonMax = -122'310'000;
constexpr int64_t kStepMicroDeg = 200;  // ≤ 0.0002° a second (~20 m): a trotting unicorn
constexpr int64_t kPointsMin = 100, kPointsMax = 200;
constexpr int64_t kPointsStep = 3;
constexpr int64_t kDistanceMaxCenti = 2999;  // Distance 0.00 .. 29.99

struct Unicorn {
  std::string prefix;  // {"Name":"...","StatusTime":"
  int64_t lat, lon, health, magic;
};

// A step of a bounded random walk that reflects at the walls.
int64_t walk(int64_t v, int64_t step, int64_t lo, int64_t hi) {
  v += step;
  if (v < lo) v = lo + (lo - v);
  if (v > hi) v = hi - (v - hi);
  return v;
}

// ---- time

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// ISO 8601 date-time: YYYY-MM-DD[Tt ]HH:MM[:SS[.fff…]][Z|±HH[:]MM] (no zone: UTC),
// or a date alone (midnight UTC). Returns epoch milliseconds.
std::optional<int64_t> parse_iso8601(std::string_view s) {
  size_t i = 0;
  auto digits = [&](int n, int& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (int k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += n;
    return true;
  };
  auto lit = [&](char c) {
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(4, y) || !lit('-') || !digits(2, mo) || !lit('-') || !digits(2, d)) return {};
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return {};
  if (i < s.size()) {
    if (!(lit('T') || lit('t') || lit(' '))) return {};
    if (!digits(2, h) || !lit(':') || !digits(2, mi)) return {};
    if (lit(':')) {
      if (!digits(2, sec)) return {};
      if (lit('.') || lit(',')) {
        int scale = 100, n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          ms += (s[i++] - '0') * scale;
          scale /= 10;
          ++n;
        }
        if (n == 0) return {};
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return {};
  }
  int64_t offset_min = 0;
  if (lit('Z') || lit('z')) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(2, oh)) return {};
    lit(':');
    if (!digits(2, om) || oh > 23 || om > 59) return {};
    offset_min = sign * (oh * 60 + om);
  }
  if (i != s.size()) return {};
  const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// ---- output

class Out {
 public:
  static constexpr size_t kSize = 1 << 20;  // 1 MiB: few syscalls, stays in L2/L3
  static constexpr size_t kMaxLine = 512;   // longer than any line we format

  Out() : buf_(new char[kSize]) {}
  ~Out() { delete[] buf_; }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;

  char* p() { return buf_ + len_; }
  void advance(char* end) { len_ = static_cast<size_t>(end - buf_); }
  // Room for one more line, flushing if needed. false: stdout is closed.
  bool reserve_line() { return len_ + kMaxLine <= kSize || flush(); }
  // false when the reader went away (EPIPE); throws the exit status on other errors.
  bool flush() {
    size_t off = 0;
    while (off < len_) {
      const ssize_t n = ::write(STDOUT_FILENO, buf_ + off, len_ - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE) return false;
        fmt::print(stderr, "wildrydes: stdout: {}\n", std::strerror(errno));
        throw Exit{kExitIo};
      }
      off += static_cast<size_t>(n);
    }
    len_ = 0;
    return true;
  }

 private:
  char* buf_;
  size_t len_ = 0;
};

inline char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline char* put_uint(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// v / 10^decimals with exactly `decimals` digits after the point.
inline char* put_fixed(char* p, int64_t v, int decimals) {
  if (v < 0) {
    *p++ = '-';
    v = -v;
  }
  int64_t scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  p = put_uint(p, static_cast<uint64_t>(v / scale));
  *p++ = '.';
  int64_t frac = v % scale;
  for (int k = decimals - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  return p + decimals;
}

// "YYYY-MM-DDTHH:MM:SS." for one epoch second, cached: a round of the herd shares it.
class SecondPrefix {
 public:
  std::string_view get(int64_t epoch_sec) {
    if (epoch_sec != sec_ || text_.empty()) {
      sec_ = epoch_sec;
      const int64_t days = (epoch_sec >= 0 ? epoch_sec : epoch_sec - 86399) / 86400;
      const int64_t rem = epoch_sec - days * 86400;
      int64_t y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      text_ = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", y, m, d, rem / 3600,
                          rem / 60 % 60, rem % 60);
    }
    return text_;
  }

 private:
  int64_t sec_ = 0;
  std::string text_;
};

struct Options {
  uint32_t unicorns = 200;
  int64_t records = -1;  // -1: unlimited
  int64_t seconds = -1;  // -1: unlimited
  std::string rate = "realtime";
  std::string start = "2024-03-01T12:00:00Z";
  uint64_t seed = 1;
};

class Generator {
 public:
  Generator(const Options& o, int64_t start_ms) : rng_(o.seed), start_ms_(start_ms) {
    for (auto& name : herd_names(o.unicorns)) {
      Unicorn u;
      u.prefix = fmt::format(R"({{"Name":"{}","StatusTime":")", name);
      u.lat = rng_.between(kLatMin, kLatMax);
      u.lon = rng_.between(kLonMin, kLonMax);
      u.health = rng_.between(kPointsMin, kPointsMax);
      u.magic = rng_.between(kPointsMin, kPointsMax);
      herd_.push_back(std::move(u));
    }
    order_.resize(herd_.size());
    for (uint32_t k = 0; k < order_.size(); ++k) order_[k] = k;
  }

  // Starts a round: shuffles the order and draws each unicorn's millisecond.
  void begin_round() {
    for (size_t k = order_.size(); k > 1; --k) {  // Fisher–Yates
      std::swap(order_[k - 1], order_[rng_.below(static_cast<uint32_t>(k))]);
    }
    ms_.resize(order_.size());
    for (auto& m : ms_) m = rng_.below(1000);
  }
  size_t size() const { return order_.size(); }
  uint32_t ms_at(size_t k) const { return ms_[k]; }
  // Sorts this round by millisecond (realtime: lines come out when they happen).
  void sort_by_ms() {
    std::vector<size_t> idx(order_.size());
    for (size_t k = 0; k < idx.size(); ++k) idx[k] = k;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return ms_[a] < ms_[b]; });
    std::vector<uint32_t> o(idx.size()), m(idx.size());
    for (size_t k = 0; k < idx.size(); ++k) o[k] = order_[idx[k]], m[k] = ms_[idx[k]];
    order_.swap(o);
    ms_.swap(m);
  }

  // Formats the k-th report of the round at epoch time `ms` into p; returns the end.
  char* format(char* p, size_t k, int64_t ms) {
    Unicorn& u = herd_[order_[k]];
    u.lat = walk(u.lat, rng_.between(-kStepMicroDeg, kStepMicroDeg), kLatMin, kLatMax);
    u.lon = walk(u.lon, rng_.between(-kStepMicroDeg, kStepMicroDeg), kLonMin, kLonMax);
    const int64_t distance = rng_.between(0, kDistanceMaxCenti);
    u.health = walk(u.health, rng_.between(-kPointsStep, kPointsStep), kPointsMin, kPointsMax);
    u.magic = walk(u.magic, rng_.between(-kPointsStep, kPointsStep), kPointsMin, kPointsMax);

    const int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const int64_t milli = ms - sec * 1000;
    p = put(p, u.prefix);
    p = put(p, second_.get(sec));
    p[0] = static_cast<char>('0' + milli / 100);
    p[1] = static_cast<char>('0' + milli / 10 % 10);
    p[2] = static_cast<char>('0' + milli % 10);
    p = put(p + 3, R"(Z","Latitude":)");
    p = put_fixed(p, u.lat, 6);
    p = put(p, R"(,"Longitude":)");
    p = put_fixed(p, u.lon, 6);
    p = put(p, R"(,"Distance":)");
    p = put_fixed(p, distance, 2);
    p = put(p, R"(,"HealthPoints":)");
    p = put_uint(p, static_cast<uint64_t>(u.health));
    p = put(p, R"(,"MagicPoints":)");
    p = put_uint(p, static_cast<uint64_t>(u.magic));
    return put(p, "}\n");
  }

  int64_t start_ms() const { return start_ms_; }

 private:
  Xoshiro256 rng_;
  int64_t start_ms_;
  std::vector<Unicorn> herd_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> ms_;
  SecondPrefix second_;
};

// --rate max: simulated time, as fast as the buffer fills.
void run_max(Generator& g, const Options& o, Out& out) {
  int64_t left = o.records;
  for (int64_t round = 0; o.seconds < 0 || round < o.seconds; ++round) {
    g.begin_round();
    const int64_t base = g.start_ms() + round * 1000;
    for (size_t k = 0; k < g.size(); ++k) {
      if (left == 0) return;
      if (!out.reserve_line()) return;
      out.advance(g.format(out.p(), k, base + g.ms_at(k)));
      if (left > 0) --left;
    }
  }
}

// --rate realtime: each report is written when its moment of the wall clock comes.
void run_realtime(Generator& g, const Options& o, Out& out) {
  // Rounds are the seconds of the wall clock, starting with the current one, so
  // each unicorn reports once in every calendar second (what a 1 s tumbling
  // window expects); reports of the first round already past come out at once.
  int64_t left = o.records;
  const int64_t first_second = clock_ns(CLOCK_REALTIME) / 1'000'000'000;
  for (int64_t round = 0; o.seconds < 0 || round < o.seconds; ++round) {
    g.begin_round();
    g.sort_by_ms();
    for (size_t k = 0; k < g.size(); ++k) {
      if (left == 0) break;
      const int64_t due = (first_second + round) * 1'000'000'000 + int64_t{g.ms_at(k)} * 1'000'000;
      if (clock_ns(CLOCK_REALTIME) < due) {
        if (!out.flush()) return;
        const timespec ts{static_cast<time_t>(due / 1'000'000'000), due % 1'000'000'000};
        while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
        }
      }
      if (!out.reserve_line()) return;
      out.advance(g.format(out.p(), k, clock_ns(CLOCK_REALTIME) / 1'000'000));
      if (left > 0) --left;
    }
    if (!out.flush()) return;
    if (left == 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Wild Rydes unicorn telemetry as JSON lines (the AWS streaming workshop's producer)",
               "wildrydes"};
  app.add_option("--unicorns", o.unicorns, "herd size (default 200)")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--records", o.records, "stop after N lines (default unlimited)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seconds", o.seconds, "stop after N simulated seconds (default unlimited)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rate", o.rate, "realtime (default): one report per unicorn per second of wall clock; "
                                   "max: as fast as possible, simulated time from --start")
      ->check(CLI::IsMember({"realtime", "max"}));
  app.add_option("--start", o.start, "ISO 8601 start of simulated time for --rate max (default 2024-03-01T12:00:00Z)")
      ->check(CLI::Validator(
          [](std::string& s) {
            return parse_iso8601(s) ? std::string{} : "not an ISO 8601 time: " + s;
          },
          "ISO8601"));
  app.add_option("--seed", o.seed, "random seed (default 1); --rate max output is a function of it");
  app.set_version_flag("--version", "wildrydes (millrace) 0.1");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    fmt::print(stderr, "wildrydes: {}\n", e.what());
    return kExitUsage;
  }

  // A closed pipe is an ordinary end (`wildrydes | head`): see EPIPE from write(2)
  // instead of dying of SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  // Into a pipe, a 1 MiB pipe buffer (the whole write buffer) halves the context
  // switches of the default 64 KiB; refused (not a pipe, or above
  // /proc/sys/fs/pipe-max-size) is harmless.
  (void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, static_cast<int>(Out::kSize));
  try {
    Generator g{o, *parse_iso8601(o.start)};
    Out out;
    if (o.rate == "max") {
      run_max(g, o, out);
    } else {
      run_realtime(g, o, out);
    }
    out.flush();
  } catch (const Exit& e) {
    return e.status;
  }
  return 0;
}
