// latency — the two ends of an end-to-end latency measurement through a pipeline.
//
// latency produce N INTERVAL_US
//   prints N lines {"t":<send time, ns since the epoch>,"i":<k>}, one every
//   INTERVAL_US microseconds on a fixed schedule (a late line does not delay
//   the next ones), each written with its own write(2), so nothing waits in a buffer.
// latency measure
//   reads lines on stdin, takes the receive time as soon as read(2) returns,
//   finds the first "t":<ns> in each line (anywhere: a line may be an envelope
//   whose "data" holds the record) and prints one JSON line on stdout:
//   {"n":N,"p50_ms":…,"p99_ms":…,"max_ms":…}. Lines without "t" are counted
//   as "ignored".
//
// Both ends read CLOCK_REALTIME, so they may run in different processes (not on
// different machines). Latency = receive − send: it includes the whole pipeline
// (the producer's pipe, the store's commit and fsync, the follower's wake-up, its
// output pipe).
//
// Build: g++ -std=c++20 -O2 tests/bench/latency.cpp -lfmt -o latency

#include <fmt/format.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitIo = 74;

int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int produce(int64_t count, int64_t interval_us) {
  signal(SIGPIPE, SIG_IGN);
  const int64_t start = clock_ns(CLOCK_MONOTONIC);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t due = start + i * interval_us * 1000;
    const timespec ts{static_cast<time_t>(due / 1'000'000'000), due % 1'000'000'000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
    char line[64];
    const auto end =
        fmt::format_to_n(line, sizeof line, "{{\"t\":{},\"i\":{}}}\n", clock_ns(CLOCK_REALTIME), i);
    const size_t len = end.size;
    size_t off = 0;
    while (off < len) {
      const ssize_t n = ::write(STDOUT_FILENO, line + off, len - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EPIPE) return 0;  // the reader went away: a quiet end
      if (n < 0) {
        fmt::print(stderr, "latency: stdout: {}\n", std::strerror(errno));
        return kExitIo;
      }
      off += static_cast<size_t>(n);
    }
  }
  return 0;
}

// The integer after the first `"t":` of a line (an envelope's "ts" key is `"ts":`,
// so it does not match), or -1.
int64_t send_time(std::string_view line) {
  const size_t at = line.find("\"t\":");
  if (at == std::string_view::npos) return -1;
  int64_t v = 0;
  size_t i = at + 4;
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t first = i;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) v = v * 10 + (line[i] - '0');
  return i == first ? -1 : v;
}

double percentile_ms(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest sample with at least p of the samples at or below it.
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]) / 1e6;
}

int measure() {
  std::vector<int64_t> latencies;
  int64_t ignored = 0;
  std::vector<char> buf(1 << 20);
  std::string partial;  // a line cut by the end of a read, with its receive time
  int64_t partial_recv = 0;
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
    const int64_t now = clock_ns(CLOCK_REALTIME);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fmt::print(stderr, "latency: stdin: {}\n", std::strerror(errno));
      return kExitIo;
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    // A line is received when its newline is: a line split across reads gets
    // the time of the read that completed it.
    while (!chunk.empty()) {
      const size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (partial.empty()) partial_recv = now;
        partial.append(chunk);
        break;
      }
      std::string_view line = chunk.substr(0, nl);
      if (!partial.empty()) {
        partial.append(line);
        line = partial;
      }
      const int64_t t = send_time(line);
      if (t < 0) {
        ++ignored;
      } else {
        latencies.push_back(now - t);
      }
      partial.clear();
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!partial.empty()) {
    const int64_t t = send_time(partial);
    if (t < 0) {
      ++ignored;
    } else {
      latencies.push_back(partial_recv - t);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  fmt::print("{{\"n\":{},\"ignored\":{},\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f}}}\n",
             latencies.size(), ignored, percentile_ms(latencies, 0.50),
             percentile_ms(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back() / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"end-to-end latency: timestamped lines in, latency percentiles out", "latency"};
  app.require_subcommand(1);
  int64_t count = 0, interval_us = 0;
  auto* prod = app.add_subcommand("produce", "print N {\"t\":ns,\"i\":k} lines, one every INTERVAL_US µs");
  prod->add_option("N", count, "number of lines")->required()->check(CLI::NonNegativeNumber);
  prod->add_option("INTERVAL_US", interval_us, "microseconds between lines")
      ->required()
      ->check(CLI::NonNegativeNumber);
  auto* meas = app.add_subcommand("measure", "read lines, print p50/p99/max of receive − \"t\" in ms");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    fmt::print(stderr, "latency: {}\n", e.what());
    return kExitUsage;
  }
  if (*prod) return produce(count, interval_us);
  if (*meas) return measure();
  return kExitUsage;
}
