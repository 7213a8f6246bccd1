// Recorder: CloudWatch's metrics of what a program does, accumulated in memory and written in
// the same write transaction as the work they describe.
//
// A program names each metric it records once (series(), which returns a small handle) and
// then adds samples to it: add() merges the sample into the statistic set of its metric and
// minute, in a small table that is reused from commit to commit, so that a sample costs a few
// comparisons and additions, and no allocation once the table has grown to its working size.
// The minute is that of the sample's time (lines::now_ms(), so MILLRACE_NOW sets it).
//
// The table is written by the program's next commit, inside it: each minute's set is merged
// into the one stored (a read and a write of one key), so that a crash never records what was
// not committed, nor loses what was. The transaction protocol, which write() below follows:
//   - in the body of Env::write, first begin(): Env::write runs its body again after growing the
//     map, and begin() then forgets the samples the earlier run added, so none counts twice;
//   - in the body, last, flush(txn, now): the samples into the store, and a step of retention
//     (metrics/retention.h) unless one came round this minute;
//   - once Env::write has returned, committed(): the samples are stored, the table is emptied;
//   - if it threw, rollback(): the samples the body added are forgotten (they described work
//     that was not committed), those added before it are kept for the next commit.
// A program that does not commit records nothing: its samples are never written.
//
// A metric whose id cannot be stored (MetricId::problem, or a key past LMDB's 511 bytes), or
// whose dimension value passes the bound of metrics/dimension_values.h, is not recorded; the
// recorder says so on stderr, once per metric.
//
// One thread at a time.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lines/time.h"
#include "metrics/layout.h"
#include "metrics/metric.h"
#include "store/env.h"

namespace millrace::metrics {

class Recorder {
 public:
  using Series = std::uint32_t;
  // The handle of a metric that is not recorded: add() ignores it.
  static constexpr Series kNotRecorded = UINT32_MAX;

  // The handle of the metric `id` in `unit`; the same handle for the same id. kNotRecorded,
  // with a warning, for an id that cannot be stored.
  Series series(const MetricId& id, Unit unit);
  Series series(std::string_view ns, std::string_view name, std::vector<Dimension> dimensions, Unit unit) {
    return series(MetricId(std::string(ns), std::string(name), std::move(dimensions)), unit);
  }

  // Adds the sample `value`, taken at `at`, to the metric.
  void add(Series series, double value, lines::EpochMs at) {
    if (series == kNotRecorded) return;
    layout::Minute minute = layout::minute_of(at);
    std::uint32_t latest = series_[series].latest;
    if (latest < entries_.size() && entries_[latest].series == series && entries_[latest].minute == minute) {
      entries_[latest].set.add(value);
      return;
    }
    add_entry(series, minute).add(value);
  }

  // Adds the samples of `set`, taken in `minute` (metrics/minute_sets.h).
  void add(Series series, const StatisticSet& set, layout::Minute minute) {
    if (series != kNotRecorded && !set.empty()) add_entry(series, minute).merge(set);
  }

  // Whether samples wait for a commit.
  bool empty() const { return entries_.empty(); }

  // Moves the samples waiting here into `into`, to be written by its commit: a recorder whose
  // samples are taken on threads that do not commit (gw-serve's reads) hands them to the one of
  // the thread that writes them. Neither may be in a commit.
  void move_to(Recorder& into);

  // The transaction protocol, above.
  void begin();
  void flush(const store::Txn& txn, lines::EpochMs now);
  void committed();
  void rollback();

 private:
  struct Entry {
    Series series;
    layout::Minute minute;
    StatisticSet set;
  };
  enum class Admission { unknown, admitted, refused };
  struct Info {
    MetricId id;
    std::string total_key;                // of its total (metrics/layout.h)
    std::string prefix;                   // the series prefix of its keys
    std::vector<std::string> value_keys;  // of its bounded dimensions
    Unit unit;
    Admission admission = Admission::unknown;
    std::uint32_t latest = UINT32_MAX;  // its entry of the latest minute it has, when there is one
  };

  StatisticSet& add_entry(Series series, layout::Minute minute);
  bool admitted(const store::Txn& txn, Info& info);
  void add_to_total(const store::Txn& txn, const Info& info, const StatisticSet& set);

  std::vector<Info> series_;
  std::unordered_map<std::string, Series> by_prefix_;
  std::vector<Entry> entries_;
  std::vector<Entry> before_;  // entries_ as begin() found them
  bool in_commit_ = false;     // begin() was called; committed() or rollback() was not yet
  std::string key_;
  // The minute in which a committed step of retention came round (nothing more expires before
  // the next), and that of the step of the commit under way, if it came round.
  layout::Minute trimmed_ = UINT32_MAX, trimming_ = UINT32_MAX;
};

// Runs body(const Txn&) in env.write with `recorder`'s transaction protocol, so that the
// samples added before it and in it are written in its transaction. A null recorder records
// nothing.
template <class Body>
void write(store::Env& env, Recorder* recorder, Body&& body) {
  if (recorder == nullptr) return env.write(body);
  try {
    env.write([&](const store::Txn& txn) {
      recorder->begin();
      body(txn);
      recorder->flush(txn, lines::now_ms());
    });
  } catch (...) {
    recorder->rollback();
    throw;
  }
  recorder->committed();
}

}  // namespace millrace::metrics
