// MinuteSets: the statistic sets of a few metrics of one kind of event (a request of an
// operation, a read of a table), per minute, kept where a sample must cost next to nothing:
// a sample is a few additions to the sets of the minute under way, with no lookup of a metric;
// every few seconds take() hands each minute's sets to a Recorder (Recorder::add of a set),
// which is what adding each sample to the recorder would have made.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "lines/time.h"
#include "metrics/layout.h"
#include "metrics/metric.h"

namespace millrace::metrics {

template <std::size_t N>
class MinuteSets {
 public:
  using Sets = std::array<StatisticSet, N>;

  // The sets of the minute of `at`, to add its samples to. Times go forward, so a minute other
  // than the last one's begins sets of its own (an earlier minute's are merged where they are
  // written).
  Sets& at(lines::EpochMs at) {
    layout::Minute minute = layout::minute_of(at);
    if (minutes_.empty() || minutes_.back().minute != minute) minutes_.push_back({minute, {}});
    return minutes_.back().sets;
  }

  // Calls f(minute, sets) for each minute that has samples, and forgets them.
  template <class F>
  void take(F&& f) {
    for (const Minute& m : minutes_) f(m.minute, m.sets);
    minutes_.clear();
  }

 private:
  struct Minute {
    layout::Minute minute;
    Sets sets;
  };
  std::vector<Minute> minutes_;  // in the order first sampled; its capacity kept
};

// A hash of names that finds a std::string key by a std::string_view, for the maps of
// MinuteSets by name: a sample looks its name up without making a string of it.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace millrace::metrics
