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
// Memory grows with the open windows and their groups, never with the records.
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

  // "5m/1m" for --hopping; nullopt when malformed or SLIDE does not divide SIZE.
  static std::optional<WindowSpec> hopping(std::string_view text);
};

class Engine {
 public:
  // With `all_or_nothing`, every aggregate checks a record before any adds it, so that a record
  // refused by one is in none (for --on-error skip); without it a refused record may be in some
  // (the caller stops at it).
  Engine(WindowSpec spec, std::vector<lines::Field> by, std::vector<SelectItem> select, bool all_or_nothing);
  ~Engine();

  enum class Added { added, late, wrong_type };
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
  // For add(element): the values and bytes of the one record being added.
  Arena arena_;
  std::vector<Value> values_;
};

}  // namespace millrace::window
