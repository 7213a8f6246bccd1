// The config file of --config: options as `key = value` lines, so a cron job needs no long
// command line.
//
//   # comments and blank lines are ignored
//   store = "/var/db/millrace"
//   stream = wildrydes
//   verbose = true
//   [create]              a section: the options of that subcommand (ks-shard), until the next
//   shards = 4
//
// A key is a long option name of the program (or, in a section, of that subcommand). A key that
// is not one, a line that is not `key = value` and a section that names no subcommand end the
// program with 64, naming the file, the line and the key: a misspelt key must not send the
// program's writes to the default store. Values are read as CLI11 reads them (quotes, arrays).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::cli {

// What is wrong with the line of `text` numbered `line` (from 1) for `app`, with the section it
// is in (empty: the program's own options); nullopt when it is a valid line. `section` is
// updated by a section line.
std::optional<std::string> config_line_problem(const CLI::App& app, std::string_view text, std::string& section);

// CLI11's config reader, checking every line first: installed by App on its parser.
class StrictConfig : public CLI::ConfigBase {
 public:
  explicit StrictConfig(const CLI::App& app) : app_(app) {}
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

 private:
  const CLI::App& app_;
};

}  // namespace millrace::cli
