#include "window/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "cli/error.h"

namespace millrace::window {

struct Engine::Group {
  std::string key;
  std::string values;  // the --by values as JSON, each followed by '\n', for output
  std::vector<std::size_t> value_ends;
  std::vector<std::unique_ptr<Accumulator>> accumulators;
};

// The groups of one tumbling or hopping window, in the order they first appeared, and an index
// of them by key: open addressing over the keys' hashes, at most half full, so that a lookup is
// one or two probes and a key comparison.
struct Engine::Pane {
  std::vector<Group> groups;
  struct Slot {
    std::size_t hash = 0;
    std::uint32_t group = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  // 8 slots (128 bytes): a window of a few groups stays small, as do many open windows of one
  // group each (--tumbling 1ms with a long --lateness); larger ones double as they fill.
  std::vector<Slot> slots = std::vector<Slot>(8);

  // The group of `key`, or the slot where it belongs.
  Slot& find(std::string_view key, std::size_t hash) {
    std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots[i];
      if (slot.group == kEmpty || (slot.hash == hash && groups[slot.group].key == key)) return slot;
    }
  }
  void grow() {
    std::vector<Slot> old = std::exchange(slots, std::vector<Slot>(slots.size() * 2));
    std::size_t mask = slots.size() - 1;
    for (const Slot& slot : old) {
      if (slot.group == kEmpty) continue;
      std::size_t i = slot.hash & mask;
      while (slots[i].group != kEmpty) i = (i + 1) & mask;
      slots[i] = slot;
    }
  }
};

// Session windows: per group, its open sessions, ordered by start.
struct Engine::Sessions {
  struct Session {
    lines::EpochMs start, last;
    Group group;
  };
  using List = std::vector<Session>;
  std::unordered_map<std::string, List, KeyHash, std::equal_to<>> by_group;
  // No open session ends before this: advance() needs no scan below it.
  lines::EpochMs earliest_end = INT64_MAX;
};

WindowSpec WindowSpec::tumbling(std::int64_t size_ms) {
  WindowSpec spec{Kind::tumbling, size_ms, size_ms, 0};
  spec.check();
  return spec;
}

WindowSpec WindowSpec::hopping(std::string_view text) {
  std::size_t slash = text.find('/');
  std::optional<std::int64_t> size, slide;
  if (slash != std::string_view::npos) {
    size = lines::parse_duration_ms(text.substr(0, slash));
    slide = lines::parse_duration_ms(text.substr(slash + 1));
  }
  if (!size || !slide)
    throw cli::Error(cli::Exit::usage, "--hopping", fmt::format("{}: not SIZE/SLIDE durations", text));
  WindowSpec spec{Kind::hopping, *size, *slide, 0};
  spec.check();
  return spec;
}

WindowSpec WindowSpec::session(std::int64_t gap_ms) {
  WindowSpec spec{Kind::session, 0, 0, gap_ms};
  spec.check();
  return spec;
}

void WindowSpec::check() const {
  const char* option = kind == Kind::tumbling ? "--tumbling" : kind == Kind::hopping ? "--hopping" : "--session";
  if ((kind == Kind::session ? gap_ms : size_ms) <= 0)
    throw cli::Error(cli::Exit::usage, option, "a window lasts more than 0ms");
  if (kind != Kind::hopping) return;
  std::string shape = lines::format_duration(size_ms) + "/" + lines::format_duration(slide_ms);
  if (slide_ms <= 0) throw cli::Error(cli::Exit::usage, option, fmt::format("{}: SLIDE is more than 0ms", shape));
  if (size_ms % slide_ms != 0)
    throw cli::Error(cli::Exit::usage, option, fmt::format("{}: SLIDE does not divide SIZE", shape));
  if (windows_per_record() > kMaxWindowsPerRecord)
    throw cli::Error(cli::Exit::usage, option,
                     fmt::format("{} puts each record in {} windows (SIZE/SLIDE), more than the {} allowed: "
                                 "use a longer SLIDE or a shorter SIZE",
                                 shape, windows_per_record(), kMaxWindowsPerRecord));
}

Engine::Engine(WindowSpec spec, std::vector<lines::Field> by, std::vector<SelectItem> select, bool all_or_nothing,
               std::uint64_t max_groups)
    : spec_(spec), select_(std::move(select)), projection_(std::move(by), select_),
      aggregate_value_(projection_.aggregate_value()), all_or_nothing_(all_or_nothing),
      sessions_(std::make_unique<Sessions>()), max_groups_(max_groups) {
  if (spec_.kind == WindowSpec::Kind::tumbling) spec_.slide_ms = spec_.size_ms;
  spec_.check();  // the bound on windows per record holds for every engine, not only ks-window's
  windows_per_record_ = static_cast<std::uint64_t>(spec_.windows_per_record());
  for (const SelectItem& item : select_)
    if (item.kind == SelectItem::Kind::aggregate) aggregates_.push_back(&item);
}

Engine::~Engine() = default;

Engine::Group Engine::new_group(const Record& record) const {
  Group group{std::string(record.key), {}, {}, make_accumulators(select_)};
  write_key_json(record.key, group.values, group.value_ends);
  return group;
}

Value Engine::value(const Record& record, std::size_t aggregate) const {
  int at = aggregate_value_[aggregate];
  return at < 0 ? Value{} : record.values[static_cast<std::size_t>(at)];
}

Engine::Pane& Engine::pane(lines::EpochMs start) {
  if (last_pane_ == nullptr || last_pane_start_ != start) {
    last_pane_ = &windows_[start];
    last_pane_start_ = start;
  }
  return *last_pane_;
}

Engine::Group& Engine::find_or_add(Pane& pane, const Record& record) {
  Pane::Slot* slot = &pane.find(record.key, record.hash);
  if (slot->group != Pane::kEmpty) return pane.groups[slot->group];
  if (2 * (pane.groups.size() + 1) > pane.slots.size()) {
    pane.grow();
    slot = &pane.find(record.key, record.hash);
  }
  *slot = {record.hash, static_cast<std::uint32_t>(pane.groups.size())};
  pane.groups.push_back(new_group(record));
  ++open_groups_;
  return pane.groups.back();
}

bool Engine::counted_too_many_groups(const Record& record, lines::EpochMs last_start, lines::EpochMs time) {
  std::uint64_t opens = 0;  // windows of the record without a group for its key yet
  for (lines::EpochMs start = last_start; start + spec_.size_ms > time; start -= spec_.slide_ms) {
    if (start + spec_.size_ms <= watermark_) continue;  // already emitted: the record skips it
    auto pane = windows_.find(start);
    if (pane == windows_.end() || pane->second.find(record.key, record.hash).group == Pane::kEmpty) ++opens;
  }
  return open_groups_ + opens > max_groups_;
}

Engine::Outcome Engine::check(const Group& group, const Record& record) const {
  // Every aggregate checks the record before any adds it, so a refused record is in none.
  for (std::size_t i = 0; i < aggregates_.size(); ++i)
    if (group.accumulators[i]->check(value(record, i)) != ValueError::none) return {Added::wrong_type, aggregates_[i]->name};
  return {Added::added, {}};
}

Engine::Outcome Engine::add_to(Group& group, const Record& record) {
  if (all_or_nothing_) {
    if (Outcome refused = check(group, record); refused.status != Added::added) return refused;
  }
  for (std::size_t i = 0; i < aggregates_.size(); ++i)
    if (group.accumulators[i]->add(value(record, i)) != ValueError::none) return {Added::wrong_type, aggregates_[i]->name};
  return {Added::added, {}};
}

Engine::Outcome Engine::add(simdjson::dom::element record, lines::EpochMs time) {
  arena_.clear();
  values_.resize(projection_.value_count());
  return add(projection_.read(record, arena_, values_.data()), time);
}

Engine::Outcome Engine::add(const Record& record, lines::EpochMs time) {
  if (spec_.kind == WindowSpec::Kind::session) return add_to_session(record, time);
  // The windows holding `time` start at multiples of the slide, the last at or before it.
  lines::EpochMs last_start = time >= 0 ? time / spec_.slide_ms * spec_.slide_ms
                                        : (time - spec_.slide_ms + 1) / spec_.slide_ms * spec_.slide_ms;
  if (spec_.kind == WindowSpec::Kind::tumbling) {  // one window: the loop below, without the list
    if (last_start + spec_.size_ms <= watermark_) return {Added::late, {}};
    if (too_many_groups(record, last_start, time)) return {Added::too_many_groups, {}};
    return add_to(find_or_add(pane(last_start), record), record);
  }
  // Refused before any window is opened for it, so that the engine stays as it was.
  if (too_many_groups(record, last_start, time)) return {Added::too_many_groups, {}};
  // The record's windows are consecutive in windows_: walk them from the earliest not yet
  // emitted, rather than look each up (7d/1m is 10,080 of them, and a lookup is a dozen cache
  // misses).
  targets_.clear();
  lines::EpochMs start = last_start - spec_.size_ms + spec_.slide_ms;
  while (start <= last_start && start + spec_.size_ms <= watermark_) start += spec_.slide_ms;
  for (auto pane = windows_.lower_bound(start); start <= last_start; start += spec_.slide_ms, ++pane) {
    if (pane == windows_.end() || pane->first != start) pane = windows_.try_emplace(pane, start);
    targets_.push_back(&find_or_add(pane->second, record));
  }
  if (targets_.empty()) return {Added::late, {}};
  if (all_or_nothing_)
    for (Group* group : targets_)
      if (Outcome refused = check(*group, record); refused.status != Added::added) return refused;
  for (Group* group : targets_)
    if (Outcome refused = add_to(*group, record); refused.status != Added::added) return refused;
  return {Added::added, {}};
}

Engine::Outcome Engine::add_to_session(const Record& record, lines::EpochMs time) {
  if (time + spec_.gap_ms <= watermark_) return {Added::late, {}};  // its session would be over already
  auto found = sessions_->by_group.find(record.key);
  if (found == sessions_->by_group.end()) {
    if (open_groups_ >= max_groups_) return {Added::too_many_groups, {}};  // before an entry for the key
    found = sessions_->by_group.emplace(std::string(record.key), Sessions::List{}).first;
  }
  auto& sessions = found->second;
  // The sessions this record touches: within the gap of it. They become one.
  auto touches = [&](const Sessions::Session& s) { return time >= s.start - spec_.gap_ms && time < s.last + spec_.gap_ms; };
  auto first = std::find_if(sessions.begin(), sessions.end(), touches);
  if (first == sessions.end()) {
    if (open_groups_ >= max_groups_) return {Added::too_many_groups, {}};
    Sessions::Session fresh{time, time, new_group(record)};
    if (Outcome refused = add_to(fresh.group, record); refused.status != Added::added) return refused;
    auto at = std::upper_bound(sessions.begin(), sessions.end(), time, [](lines::EpochMs t, const auto& s) { return t < s.start; });
    sessions.insert(at, std::move(fresh));
    ++open_groups_;
  } else {
    if (Outcome refused = add_to(first->group, record); refused.status != Added::added) return refused;
    first->start = std::min(first->start, time);
    first->last = std::max(first->last, time);
    // A record that bridges two sessions merges the later into the earlier.
    for (auto next = first + 1; next != sessions.end() && next->start - spec_.gap_ms <= first->last;) {
      for (std::size_t i = 0; i < aggregates_.size(); ++i) first->group.accumulators[i]->merge(*next->group.accumulators[i]);
      first->last = std::max(first->last, next->last);
      next = sessions.erase(next);
      first = next - 1;
      --open_groups_;
    }
  }
  sessions_->earliest_end = std::min(sessions_->earliest_end, time + spec_.gap_ms);
  return {Added::added, {}};
}

void Engine::emit(const Group& group, lines::EpochMs start, lines::EpochMs end, std::string& out) const {
  out.push_back('{');
  std::size_t aggregate = 0;
  bool first = true;
  for (const SelectItem& item : select_) {
    if (!first) out.push_back(',');
    first = false;
    lines::append_json_string(out, item.name);
    out.push_back(':');
    switch (item.kind) {
      case SelectItem::Kind::group_field: {
        std::size_t begin = item.group_index == 0 ? 0 : group.value_ends[item.group_index - 1] + 1;
        out.append(group.values, begin, group.value_ends[item.group_index] - begin);
        break;
      }
      case SelectItem::Kind::window_start:
      case SelectItem::Kind::window_end:
        out.push_back('"');
        out.append(lines::format_iso8601(item.kind == SelectItem::Kind::window_start ? start : end));
        out.push_back('"');
        break;
      case SelectItem::Kind::aggregate:
        group.accumulators[aggregate++]->write(out);
        break;
    }
  }
  out.append("}\n");
}

void Engine::advance(lines::EpochMs watermark, std::string& out) {
  watermark_ = std::max(watermark_, watermark);
  if (spec_.kind != WindowSpec::Kind::session) {
    // Windows end in the order they start: all sizes are equal.
    while (!windows_.empty() && windows_.begin()->first + spec_.size_ms <= watermark_) {
      last_pane_ = nullptr;
      auto node = windows_.extract(windows_.begin());
      open_groups_ -= node.mapped().groups.size();
      for (const Group& group : node.mapped().groups) emit(group, node.key(), node.key() + spec_.size_ms, out);
    }
    return;
  }
  if (watermark_ < sessions_->earliest_end) return;
  // Sessions of different groups end in any order: collect the due ones, emit them by end.
  struct Due {
    lines::EpochMs end;
    Sessions::Session session;
  };
  std::vector<Due> due;
  lines::EpochMs earliest = INT64_MAX;
  for (auto it = sessions_->by_group.begin(); it != sessions_->by_group.end();) {
    auto& sessions = it->second;
    for (auto s = sessions.begin(); s != sessions.end();) {
      lines::EpochMs end = s->last + spec_.gap_ms;
      if (end <= watermark_) {
        due.push_back({end, std::move(*s)});
        s = sessions.erase(s);
      } else {
        earliest = std::min(earliest, end);
        ++s;
      }
    }
    it = sessions.empty() ? sessions_->by_group.erase(it) : std::next(it);
  }
  sessions_->earliest_end = earliest;
  open_groups_ -= due.size();
  std::stable_sort(due.begin(), due.end(), [](const Due& a, const Due& b) { return a.end < b.end; });
  for (const Due& d : due) emit(d.session.group, d.session.start, d.end, out);
}

void Engine::finish(std::string& out) { advance(INT64_MAX, out); }

std::optional<lines::EpochMs> Engine::next_end() const {
  if (spec_.kind == WindowSpec::Kind::session) {
    // earliest_end is only a lower bound (a session's end moves on with its records): look.
    std::optional<lines::EpochMs> earliest;
    for (const auto& [key, sessions] : sessions_->by_group)
      for (const Sessions::Session& s : sessions)
        if (!earliest || s.last + spec_.gap_ms < *earliest) earliest = s.last + spec_.gap_ms;
    return earliest;
  }
  if (windows_.empty()) return std::nullopt;
  return windows_.begin()->first + spec_.size_ms;
}

}  // namespace millrace::window
