#include "window/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace millrace::window {

struct Engine::Group {
  std::string values;  // the --by values as JSON, each followed by '\n', for output
  std::vector<std::size_t> value_ends;
  std::vector<std::unique_ptr<Accumulator>> accumulators;
};

// The groups of one tumbling or hopping window, in the order they first appeared.
struct Engine::Pane {
  std::vector<Group> groups;
  GroupIndex index;
};

// Session windows: per group, its open sessions, ordered by start.
struct Engine::Sessions {
  struct Session {
    lines::EpochMs start, last;
    Group group;
  };
  std::unordered_map<std::string, std::vector<Session>, KeyHash, std::equal_to<>> by_group;
  // No open session ends before this: advance() needs no scan below it.
  lines::EpochMs earliest_end = INT64_MAX;
};

std::optional<WindowSpec> WindowSpec::hopping(std::string_view text) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto size = lines::parse_duration_ms(text.substr(0, slash));
  auto slide = lines::parse_duration_ms(text.substr(slash + 1));
  if (!size || !slide || *size <= 0 || *slide <= 0 || *size % *slide != 0) return std::nullopt;
  return WindowSpec{Kind::hopping, *size, *slide, 0};
}

Engine::Engine(WindowSpec spec, std::vector<lines::Field> by, std::vector<SelectItem> select, bool all_or_nothing)
    : spec_(spec), by_count_(by.size()), select_(std::move(select)), all_or_nothing_(all_or_nothing),
      sessions_(std::make_unique<Sessions>()) {
  if (spec_.kind == WindowSpec::Kind::tumbling) spec_.slide_ms = spec_.size_ms;
  std::vector<lines::Field> fields = std::move(by);
  for (const SelectItem& item : select_) {
    if (item.kind != SelectItem::Kind::aggregate) continue;
    aggregates_.push_back(&item);
    int slot = -1;  // count(*) reads no field
    if (item.field) {
      auto same = std::find_if(fields.begin() + static_cast<std::ptrdiff_t>(by_count_), fields.end(),
                               [&](const lines::Field& f) { return f.spec() == item.field->spec(); });
      slot = static_cast<int>(same - fields.begin());
      if (same == fields.end()) fields.push_back(*item.field);
    }
    field_slot_.push_back(slot);
  }
  fields_.emplace(std::move(fields));
}

Engine::~Engine() = default;

void Engine::group_key() {
  // A binary key: a tag and the value's bytes, strings with their length. Building it is a copy;
  // the JSON of a group's values is written once, when the group appears (new_group).
  key_.clear();
  auto put = [this](char tag, const void* bytes, std::size_t size) {
    key_.push_back(tag);
    key_.append(static_cast<const char*>(bytes), size);
  };
  for (std::size_t i = 0; i < by_count_; ++i) {
    const Value& value = field_values_[i];
    if (!value || value->is_null()) {
      key_.push_back('n');
    } else if (value->is_string()) {
      std::string_view text = value->get_string().value_unsafe();
      auto size = static_cast<std::uint32_t>(text.size());
      put('s', &size, sizeof size);
      key_.append(text);
    } else if (value->is_int64()) {
      std::int64_t v = value->get_int64().value_unsafe();
      put('i', &v, sizeof v);
    } else if (value->is_uint64()) {
      std::uint64_t v = value->get_uint64().value_unsafe();
      put('u', &v, sizeof v);
    } else if (value->is_double()) {
      double v = value->get_double().value_unsafe();
      put('d', &v, sizeof v);
    } else {
      std::string text = simdjson::minify(*value);
      auto size = static_cast<std::uint32_t>(text.size());
      put('j', &size, sizeof size);
      key_.append(text);
    }
  }
}

Engine::Group Engine::new_group() const {
  Group group{{}, {}, make_accumulators(select_)};
  for (std::size_t i = 0; i < by_count_; ++i) {
    const Value& value = field_values_[i];
    if (!value) {
      group.values.append("null");
    } else {
      group.values.append(simdjson::minify(*value));
    }
    group.value_ends.push_back(group.values.size());
    group.values.push_back('\n');
  }
  return group;
}

Engine::Group* Engine::find_or_add(Pane& pane) {
  if (auto it = pane.index.find(std::string_view(key_)); it != pane.index.end()) return &pane.groups[it->second];
  pane.index.emplace(key_, pane.groups.size());
  pane.groups.push_back(new_group());
  return &pane.groups.back();
}

void Engine::load_values(simdjson::dom::element record) { fields_->find_all(record, field_values_); }

Value Engine::value(std::size_t aggregate) const {
  int slot = field_slot_[aggregate];
  return slot < 0 ? Value{} : field_values_[static_cast<std::size_t>(slot)];
}

Engine::Outcome Engine::check(const Group& group) const {
  // Every aggregate checks the record before any adds it, so a refused record is in none.
  for (std::size_t i = 0; i < aggregates_.size(); ++i)
    if (group.accumulators[i]->check(value(i)) != ValueError::none) return {Added::wrong_type, aggregates_[i]->name};
  return {Added::added, {}};
}

Engine::Outcome Engine::add_to(Group& group) {
  if (all_or_nothing_) {
    if (Outcome refused = check(group); refused.status != Added::added) return refused;
  }
  for (std::size_t i = 0; i < aggregates_.size(); ++i)
    if (group.accumulators[i]->add(value(i)) != ValueError::none) return {Added::wrong_type, aggregates_[i]->name};
  return {Added::added, {}};
}

Engine::Outcome Engine::add(simdjson::dom::element record, lines::EpochMs time) {
  load_values(record);
  group_key();
  if (spec_.kind == WindowSpec::Kind::session) return add_to_session(time);
  // The windows holding `time` start at multiples of the slide, the last at or before it.
  lines::EpochMs last_start = time >= 0 ? time / spec_.slide_ms * spec_.slide_ms
                                        : (time - spec_.slide_ms + 1) / spec_.slide_ms * spec_.slide_ms;
  targets_.clear();
  for (lines::EpochMs start = last_start; start + spec_.size_ms > time; start -= spec_.slide_ms) {
    if (start + spec_.size_ms <= watermark_) continue;  // already emitted
    targets_.push_back(find_or_add(windows_[start]));
  }
  if (targets_.empty()) return {Added::late, {}};
  if (all_or_nothing_)
    for (Group* group : targets_)
      if (Outcome refused = check(*group); refused.status != Added::added) return refused;
  for (Group* group : targets_)
    if (Outcome refused = add_to(*group); refused.status != Added::added) return refused;
  return {Added::added, {}};
}

Engine::Outcome Engine::add_to_session(lines::EpochMs time) {
  if (time + spec_.gap_ms <= watermark_) return {Added::late, {}};  // its session would be over already
  auto& sessions = sessions_->by_group[key_];
  // The sessions this record touches: within the gap of it. They become one.
  auto touches = [&](const Sessions::Session& s) { return time >= s.start - spec_.gap_ms && time < s.last + spec_.gap_ms; };
  auto first = std::find_if(sessions.begin(), sessions.end(), touches);
  if (first == sessions.end()) {
    Sessions::Session fresh{time, time, new_group()};
    if (Outcome refused = add_to(fresh.group); refused.status != Added::added) return refused;
    auto at = std::upper_bound(sessions.begin(), sessions.end(), time, [](lines::EpochMs t, const auto& s) { return t < s.start; });
    sessions.insert(at, std::move(fresh));
  } else {
    if (Outcome refused = add_to(first->group); refused.status != Added::added) return refused;
    first->start = std::min(first->start, time);
    first->last = std::max(first->last, time);
    // A record that bridges two sessions merges the later into the earlier.
    for (auto next = first + 1; next != sessions.end() && next->start - spec_.gap_ms <= first->last;) {
      for (std::size_t i = 0; i < aggregates_.size(); ++i) first->group.accumulators[i]->merge(*next->group.accumulators[i]);
      first->last = std::max(first->last, next->last);
      next = sessions.erase(next);
      first = next - 1;
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
      auto node = windows_.extract(windows_.begin());
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
