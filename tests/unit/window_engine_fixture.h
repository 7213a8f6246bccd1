// Engines of ks-window and the records they take, for the tests of lib/window/engine.h.
// Times are written as offsets from an aligned base, and windows as ISO 8601 with milliseconds.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lines/json.h"
#include "window/engine.h"
#include "window/select.h"

namespace millrace::test {

using lines::EpochMs;
using lines::Field;
using window::Engine;
using window::WindowSpec;

inline constexpr EpochMs kSecond = 1000;
inline constexpr EpochMs kMinute = 60 * kSecond;
// 2024-03-01T12:00:00Z (date -u -d 2024-03-01T12:00:00Z +%s), a multiple of every window here.
inline constexpr EpochMs kBase = 1709294400000;

inline std::vector<Field> fields(std::vector<std::string> specs) {
  std::vector<Field> out;
  for (auto& s : specs) out.emplace_back(std::move(s));
  return out;
}

inline Engine make_engine(WindowSpec spec, std::vector<std::string> by, std::string_view select,
                          std::uint64_t max_groups = Engine::kDefaultMaxGroups) {
  std::vector<Field> group_by = fields(std::move(by));
  std::vector<window::SelectItem> items = window::parse_select(select, group_by);
  return Engine(spec, std::move(group_by), std::move(items), true, max_groups);
}

inline WindowSpec tumbling(EpochMs size) { return {WindowSpec::Kind::tumbling, size, size, 0}; }
inline WindowSpec session(EpochMs gap) { return {WindowSpec::Kind::session, 0, 0, gap}; }
inline WindowSpec hopping(std::string_view text) { return WindowSpec::hopping(text); }

// Adds the record `json` at `time`; the parser lives until add() has returned (the engine
// copies what it keeps).
inline Engine::Outcome add(Engine& engine, std::string_view json, EpochMs time) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  REQUIRE(parser.parse(json.data(), json.size()).get(record) == simdjson::SUCCESS);
  return engine.add(record, time);
}

inline void added(Engine& engine, std::string_view json, EpochMs time) {
  CAPTURE(json);
  CAPTURE(time);
  CHECK(add(engine, json, time).status == Engine::Added::added);
}

inline void late(Engine& engine, std::string_view json, EpochMs time) {
  CAPTURE(json);
  CAPTURE(time);
  CHECK(add(engine, json, time).status == Engine::Added::late);
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    REQUIRE(nl != std::string::npos);  // every line ends with \n
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::string advance(Engine& engine, EpochMs watermark) {
  std::string out;
  engine.advance(watermark, out);
  return out;
}

inline std::string finish(Engine& engine) {
  std::string out;
  engine.finish(out);
  return out;
}

}  // namespace millrace::test
