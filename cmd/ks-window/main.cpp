// ks-window (--tumbling DURATION | --hopping SIZE/SLIDE | --session GAP) [--by FIELD[,FIELD...]]
//           [--where EXPR] --select LIST [--time FIELD [--lateness DURATION]] [--late FILE]
//           [--max-groups N] [--format data|envelope] [--on-error fail|skip] [--progress | --no-progress]
//           [FILE ...]
#include <unistd.h>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "window/aggregates.h"
#include "window/engine.h"
#include "window/run.h"
#include "window/select.h"

using namespace millrace;

int main(int argc, char** argv) {
  std::string aggregates = "aggregates:";
  for (const window::AggregateKind& kind : window::aggregate_kinds())
    aggregates += fmt::format("\n  {:<18} {}", kind.synopsis, kind.help);
  cli::App app{"ks-window", "ks-window: windowed aggregates of JSON lines (Kinesis Data Analytics, Flink windows)",
               cli::App::Store::unused};
  CLI::App& cli = app.parser();
  cli.footer(aggregates);
  window::WindowSpec spec;
  std::string hopping, by, where, select, time_field, late_file;
  std::optional<std::int64_t> tumbling, session;
  std::uint64_t max_groups = window::Engine::kDefaultMaxGroups;
  window::RunOptions run;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;
  std::vector<std::string> files;

  auto* tumbling_option = cli::add_duration(cli, "--tumbling", tumbling, "fixed windows of DURATION");
  auto* hopping_option = cli.add_option("--hopping", hopping, "windows of SIZE starting every SLIDE (5m/1m)")
                             ->option_text("SIZE/SLIDE");
  auto* session_option = cli::add_duration(cli, "--session", session, "per group, a session ends after GAP without a record");
  session_option->option_text("GAP");
  tumbling_option->excludes(hopping_option)->excludes(session_option);
  hopping_option->excludes(session_option);
  cli.add_option("--by", by, "group fields, comma-separated")->option_text("FIELD[,FIELD...]");
  cli.add_option("--where", where, "keep only records for which EXPR holds")->option_text("EXPR");
  cli.add_option("--select", select, "output: --by fields, window_start, window_end, aggregates, AS names")
      ->required()
      ->option_text("LIST");
  auto* time_option = cli.add_option("--time", time_field, "event time from FIELD (default: processing time)")
                          ->option_text("FIELD");
  cli::add_duration(cli, "--lateness", run.lateness_ms, "with --time: how far the watermark trails (default 0)")
      ->needs(time_option);
  cli.add_option("--late", late_file, "write late records to FILE")->option_text("FILE");
  // Up to what a window's index of its groups (32 bits) can number.
  cli.add_option("--max-groups", max_groups,
                 fmt::format("the most groups open at once, one per window and --by value (default {})",
                             window::Engine::kDefaultMaxGroups))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{UINT32_MAX - 1}))
      ->option_text("N");
  cli::add_input_format(cli, run.format);
  cli::add_on_error(cli, run.on_error);
  cli::add_progress(cli, progress_mode);
  cli.add_option("FILE", files, "input files; - or none: stdin")->option_text("FILE ...");

  return app.run(argc, argv, [&] {
    if (tumbling) spec = window::WindowSpec::tumbling(*tumbling);
    if (session) spec = window::WindowSpec::session(*session);
    if (!hopping.empty()) spec = window::WindowSpec::hopping(hopping);
    if (!tumbling && !session && hopping.empty())
      throw cli::Error(cli::Exit::usage, "", "give one of --tumbling, --hopping or --session");
    std::vector<lines::Field> group_by = cli::field_list(by);
    if (!where.empty()) run.where = expr::Condition::compile(where);
    if (!time_field.empty()) run.time_field.emplace(time_field);
    if (!late_file.empty()) run.late_file = late_file;
    window::Engine engine(spec, group_by, window::parse_select(select, group_by), run.on_error == lines::OnError::skip,
                          max_groups);
    lines::Reader reader(files, 1 << 20);
    lines::Writer out(STDOUT_FILENO);
    cli::catch_stop_signals();
    cli::Progress progress("records", progress_mode, cli::Stdout::data);
    progress.follow(reader);
    window::RunStats stats = window::run(reader, engine, run, out);
    progress.finish();
    if (stats.late > 0) cli::warn("", "late records: {}{}", stats.late, late_file.empty() ? "" : " written to " + late_file);
    if (stats.skipped > 0) cli::warn("", "{} bad lines skipped", stats.skipped);
    cli::note("", "{} records in windows, {} filtered out", stats.records, stats.filtered);
  });
}
