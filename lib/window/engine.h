// Engine: the windows of ks-window, their groups and accumulators, and when they are emitted.
//
// Records come with a time; each goes to every window that holds that time (one tumbling
// window, SIZE/SLIDE hopping windows, or its group's session) and to its group there. A window
// is emitted once, when the watermark passes its end: one JSON line per group, keys in select
// order. A record whose every window is already emitted is late: the engine says so, and the
// caller counts it and writes it aside.
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
#include "window/select.h"

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
  Outcome add(simdjson::dom::element record, lines::EpochMs time);

  // Emits, to `out`, every window that ends at or before `watermark`, in order of their end.
  void advance(lines::EpochMs watermark, std::string& out);
  // Emits every open window (end of input).
  void finish(std::string& out);
  // The earliest end of an open window: when the next one is due.
  std::optional<lines::EpochMs> next_end() const;
  lines::EpochMs watermark() const { return watermark_; }

 private:
  struct Group;
  struct Pane;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  using GroupIndex = std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>>;

  void load_values(simdjson::dom::element record);  // fills field_values_
  void group_key();                                  // fills key_
  Group new_group() const;                           // a group for the record being added
  Outcome add_to(Group& group);
  Value value(std::size_t aggregate) const;           // the record's value for an aggregate
  Group* find_or_add(Pane& pane);
  Outcome check(const Group& group) const;
  Outcome add_to_session(lines::EpochMs time);
  void emit(const Group& group, lines::EpochMs start, lines::EpochMs end, std::string& out) const;

  WindowSpec spec_;
  std::size_t by_count_;
  std::vector<SelectItem> select_;
  std::vector<const SelectItem*> aggregates_;
  // The fields read from each record: the --by fields, then those of the aggregates, each once
  // (min and max of one field read it once); per aggregate its field's place (-1: count(*)).
  std::optional<lines::FieldSet> fields_;
  std::vector<int> field_slot_;
  std::vector<Value> field_values_;
  bool all_or_nothing_;
  std::vector<Group*> targets_;  // the windows of the record being added
  std::map<lines::EpochMs, Pane> windows_;  // tumbling and hopping, by start
  struct Sessions;
  std::unique_ptr<Sessions> sessions_;
  lines::EpochMs watermark_ = INT64_MIN;
  std::string key_;  // the group key of the record being added
};

}  // namespace millrace::window
