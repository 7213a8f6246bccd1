// Engine: the windows of ks-window, their groups and accumulators, and when they are emitted.
//
// Records come with a time; each goes to every window that holds that time (one tumbling
// window, SIZE/SLIDE hopping windows, or its group's session) and to its group there. A window
// is emitted once, when the watermark passes its end: one JSON line per group, keys in select
// order. A record whose every window is already emitted is late: the engine says so, and the
// caller counts it and writes it aside.
//
// Records come as Records (window/record.h), parsed elsewhere, in input order; the engine keeps
// no reference to them.
//
// Memory grows with the open windows and their groups, never with the records, and both are
// bounded: a window shape that puts a record in more than WindowSpec::kMaxWindowsPerRecord
// windows is refused, and a record that would open more groups than the engine's max_groups
// (summed over the open windows) is refused with Added::too_many_groups. What one group holds
// is in ks-window(1), MEMORY.
// Not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lines/json.h"
#include "lines/time.h"
#include "window/record.h"
#include "window/select.h"
#include "window/value.h"

namespace millrace::window {

struct WindowSpec {
  enum class Kind { tumbling, hopping, session } kind = Kind::tumbling;
  std::int64_t size_ms = 0;   // tumbling and hopping
  std::int64_t slide_ms = 0;  // hopping (tumbling: the size)
  std::int64_t gap_ms = 0;    // session

  // The most windows one record may be in: SIZE/SLIDE of --hopping. Every record costs that
  // many group updates, and every key that many groups held at once, so the ratio is what a
  // shape costs. 10,080 is a week sliding by the minute (7d/1m), the longest common shape
  // (a "last 7 days" panel refreshed every minute); KDA's and Flink's usual shapes are far
  // below it (1h/1m is 60, 1d/1m is 1,440). At the bound a record takes about 1 ms and
  // one key about 4 MiB (see ks-window(1), MEMORY); 7d/1ms, 604,800,000 windows a record,
  // would want hundreds of gigabytes for its first record.
  static constexpr std::int64_t kMaxWindowsPerRecord = 10'080;

  static WindowSpec tumbling(std::int64_t size_ms);
  // "5m/1m" for --hopping.
  static WindowSpec hopping(std::string_view text);
  static WindowSpec session(std::int64_t gap_ms);
  // Each of the three throws cli::Error(usage) naming its option: a window of 0ms or less, a
  // --hopping that is not SIZE/SLIDE durations, whose SLIDE does not divide SIZE, or whose
  // SIZE/SLIDE exceeds kMaxWindowsPerRecord.

  // How many windows hold each record: SIZE/SLIDE for hopping, 1 otherwise.
  std::int64_t windows_per_record() const { return kind == Kind::hopping ? size_ms / slide_ms : 1; }
  // Throws cli::Error(usage) as those three do; Engine calls it, so that a spec made by hand
  // is held to the same bound.
  void check() const;
};

class Engine {
 public:
  // The default of --max-groups: about 350 MiB with one aggregate and 1 GiB with eight (see
  // ks-window(1), MEMORY), which a laptop holds, and far above what KDA-style queries keep
  // open (the Wild Rydes summary holds a few hundred). A query past it is most likely grouped
  // by a field of unbounded cardinality (a request id), and is better told than left to swap.
  static constexpr std::uint64_t kDefaultMaxGroups = 1'000'000;

  // With `all_or_nothing`, every aggregate checks a record before any adds it, so that a record
  // refused by one is in none (for --on-error skip); without it a refused record may be in some
  // (the caller stops at it). At most `max_groups` groups are open at once, summed over the
  // open windows: a key in five open hopping windows is five groups, a session is one.
  // Throws cli::Error(usage) when `spec` fails WindowSpec::check().
  // REQUIRES: max_groups >= 1.
  Engine(WindowSpec spec, std::vector<lines::Field> by, std::vector<SelectItem> select, bool all_or_nothing,
         std::uint64_t max_groups = kDefaultMaxGroups);
  ~Engine();

  // too_many_groups: the record would open groups past max_groups; it is in no window, and
  // the engine is as it was before it (the caller ends the run: it is no fault of the line).
  enum class Added { added, late, wrong_type, too_many_groups };
  struct Outcome {
    Added status;
    std::string_view aggregate;  // wrong_type: the item whose value was refused
  };
  // Adds `record` at `time`. With all_or_nothing, a record refused by one aggregate is in none.
  // REQUIRES: `record` was read by a Projection of this engine's --by fields and --select list
  // (projection() or one made alike, with or without a --time field).
  Outcome add(const Record& record, lines::EpochMs time);
  // Reads `record` with projection() and adds it: for a caller that parses on this thread.
  Outcome add(simdjson::dom::element record, lines::EpochMs time);

  // Emits, to `out`, every window that ends at or before `watermark`, in order of their end.
  void advance(lines::EpochMs watermark, std::string& out);
  // Emits every open window (end of input).
  void finish(std::string& out);
  // The earliest end of an open window: when the next one is due.
  std::optional<lines::EpochMs> next_end() const;
  lines::EpochMs watermark() const { return watermark_; }
  // The groups of the open windows, and the most there may be.
  std::uint64_t open_groups() const { return open_groups_; }
  std::uint64_t max_groups() const { return max_groups_; }

  // How this engine reads records: workers copy it.
  const Projection& projection() const { return projection_; }

 private:
  struct Group;
  struct Pane;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  Group new_group(const Record& record) const;
  Value value(const Record& record, std::size_t aggregate) const;  // the record's value for an aggregate
  Pane& pane(lines::EpochMs start);
  Group& find_or_add(Pane& pane, const Record& record);
  // Whether adding `record` to the windows from `last_start` down would open more groups than
  // max_groups_ allows, changing nothing. Inline: add() asks it of every record.
  bool too_many_groups(const Record& record, lines::EpochMs last_start, lines::EpochMs time) {
    return open_groups_ + windows_per_record_ > max_groups_ && counted_too_many_groups(record, last_start, time);
  }
  bool counted_too_many_groups(const Record& record, lines::EpochMs last_start, lines::EpochMs time);
  Outcome check(const Group& group, const Record& record) const;
  Outcome add_to(Group& group, const Record& record);
  Outcome add_to_session(const Record& record, lines::EpochMs time);
  void emit(const Group& group, lines::EpochMs start, lines::EpochMs end, std::string& out) const;

  WindowSpec spec_;
  std::vector<SelectItem> select_;
  std::vector<const SelectItem*> aggregates_;
  Projection projection_;
  std::vector<int> aggregate_value_;  // projection_.aggregate_value()
  bool all_or_nothing_;
  std::vector<Group*> targets_;  // the windows of the record being added
  std::map<lines::EpochMs, Pane> windows_;  // tumbling and hopping, by start
  // The window the last record went to, as records come mostly in time order: a map node stays
  // where it is until advance() removes it, which forgets this.
  Pane* last_pane_ = nullptr;
  lines::EpochMs last_pane_start_ = 0;
  struct Sessions;
  std::unique_ptr<Sessions> sessions_;
  lines::EpochMs watermark_ = INT64_MIN;
  std::uint64_t open_groups_ = 0;
  std::uint64_t max_groups_;
  std::uint64_t windows_per_record_;  // spec_.windows_per_record()
  // For add(element): the values and bytes of the one record being added.
  Arena arena_;
  std::vector<Value> values_;
};

}  // namespace millrace::window
