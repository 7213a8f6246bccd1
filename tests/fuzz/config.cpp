// The config file of --config (cli/config.h), read by every program.
//
// Input: a config file, lines as a user writes them.
//
// Checks: each line is refused (with a message) or taken; a line taken as `key = value` names a
// long option of the program or of the section's subcommand; a file whose lines are all taken
// parses through CLI11 without a refusal of ours, and one with a refused line ends with
// cli::Error(usage) naming "FILE:LINE" of the first refused line.
#include <CLI/CLI.hpp>

#include <sstream>
#include <string>

#include "cli/config.h"
#include "cli/error.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;

namespace {

// A program's options as ks-shard declares them: its own, and a subcommand's.
struct Program {
  Program() {
    app.add_option("-S,--store", store);
    app.add_option("-s,--stream", stream);
    app.add_flag("-v,--verbose", verbose);
    app.set_config("--config", "fuzz.conf");
    app.config_formatter(std::make_shared<cli::StrictConfig>(app));
    CLI::App* create = app.add_subcommand("create");
    create->add_option("--shards", shards);
  }
  CLI::App app{"fuzzed", "fuzzed"};
  std::string store, stream;
  bool verbose = false;
  int shards = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  Program program;
  std::string section;
  std::size_t first_refused = 0, number = 0;
  for (std::string_view line : fuzz::split_lines(text)) {
    ++number;
    auto problem = cli::config_line_problem(program.app, line, section);
    if (problem) {
      require(!problem->empty(), "a refusal without a message");
      if (first_refused == 0) first_refused = number;
    }
  }
  // The whole file through the formatter, as App reads it (the file is named by --config's
  // default, fuzz.conf).
  std::istringstream input{std::string(text)};
  try {
    cli::StrictConfig(program.app).from_config(input);
    require(first_refused == 0, "a file with a refused line was taken");
  } catch (const cli::Error& e) {
    require(e.status() == cli::Exit::usage, "a refused file is not a usage error");
    require(first_refused != 0 && e.where().ends_with(":" + std::to_string(first_refused)),
            "the refusal does not name the first refused line");
  } catch (const CLI::Error&) {
    // CLI11's own value syntax (an unclosed quote, say): a usage error of the parser
  }
  return 0;
}
