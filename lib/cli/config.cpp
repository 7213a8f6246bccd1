#include "cli/config.h"

#include <fmt/format.h>

#include <sstream>

#include "cli/error.h"

namespace millrace::cli {
namespace {

constexpr std::string_view kBlanks = " \t\r";

std::string_view trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

// The options a config key may name: long names, as on the command line without the dashes.
bool has_long_option(const CLI::App& app, const std::string& key) {
  if (key.empty() || key.front() == '-') return false;
  const CLI::Option* option = app.get_option_no_throw("--" + key);
  return option != nullptr && option != app.get_config_ptr();
}

// The long option names of `app` closest to `key`, for a "did you mean" (at most two edits).
std::string closest_option(const CLI::App& app, const std::string& key) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = 3;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      std::size_t d = distance(key, name);
      if (d < best_distance) best = name, best_distance = d;
    }
  }
  return best;
}

// The subcommand of `app` called `name`, or nullptr.
const CLI::App* subcommand(const CLI::App& app, const std::string& name) {
  auto named = app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == name; });
  return named.empty() ? nullptr : named.front();
}

}  // namespace

std::optional<std::string> config_line_problem(const CLI::App& app, std::string_view text, std::string& section) {
  std::string_view line = trim(text);
  if (line.empty() || line.front() == '#' || line.front() == ';') return std::nullopt;
  if (line.front() == '[') {
    if (line.back() != ']') return "a section line is '[name]'";
    std::string name(trim(line.substr(1, line.size() - 2)));
    if (name == "default") name.clear();  // CLI11's name for the program's own options
    if (!name.empty() && subcommand(app, name) == nullptr)
      return fmt::format("no subcommand '{}'", name);
    section = name;
    return std::nullopt;
  }
  std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) return fmt::format("not a 'key = value' line: {}", line);
  std::string key(trim(line.substr(0, equals)));
  if (key.empty()) return "no key before '='";
  const CLI::App* owner = &app;
  if (!section.empty()) owner = subcommand(app, section);
  if (has_long_option(*owner, key)) return std::nullopt;
  std::string suggestion = closest_option(*owner, key);
  return fmt::format("unknown key '{}'{}", key, suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion));
}

std::vector<CLI::ConfigItem> StrictConfig::from_config(std::istream& input) const {
  std::string file = app_.get_config_ptr()->as<std::string>();
  std::stringstream text;
  text << input.rdbuf();
  std::string section;
  std::string line;
  for (std::size_t number = 1; std::getline(text, line); ++number) {
    if (auto problem = config_line_problem(app_, line, section))
      throw Error(Exit::usage, fmt::format("{}:{}", file, number), *problem);
  }
  text.clear();
  text.seekg(0);
  return CLI::ConfigBase::from_config(text);
}

}  // namespace millrace::cli
