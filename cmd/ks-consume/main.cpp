// ks-consume [-S DIR | -S URL] -s STREAM [-g GROUP] [--from POSITION] [--shard ID ...] [-n N]
//            [-f [--idle-exit DURATION]] [--format data|envelope|lambda] [--batch-size N]
//            [--lease-timeout DURATION] [--checkpoint poll|downstream] [--sync full|none]
//            [--exec CMD [--exec-format lambda|data|envelope] | --handler FILE.FUNCTION
//             [--runtime nodejs|python] | --runtime-cmd CMD [--handler FILE.FUNCTION]]
//            [--code DIR] [--env NAME=VALUE ...] [--memory MB] [--endpoint URL]
//            [--batch-window DURATION] [--retries N] [--max-record-age DURATION] [--bisect]
//            [--on-failure STREAM] [--parallel N] [--timeout DURATION] [--progress | --no-progress]
#include <unistd.h>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "lines/writer.h"
#include "runtime/function_options.h"
#include "store/sequence.h"
#include "stream/consume_store.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"ks-consume", "ks-consume: read a stream's records (Kinesis GetRecords), with checkpoints"};
  CLI::App& cli = app.parser();
  stream::ConsumeOptions options;
  std::string from = "trim-horizon";
  std::vector<std::string> shards;
  store::Sync sync = store::Sync::full;
  stream::ExecOptions exec;
  runtime::Function function;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;

  cli::add_stream(cli, options.source.stream)->required();
  auto* group = cli::add_group(cli, options.source.group);
  cli.add_option("--from", from, "trim-horizon, latest, at:SEQ, after:SEQ or time:ISO8601")->option_text("POSITION");
  cli.add_option("--shard", shards, "read only this shard (repeatable)")->option_text("ID");
  cli.add_option("-n,--limit", options.limit, "stop after N records")->check(CLI::NonNegativeNumber)->option_text("N");
  auto* follow = cli.add_flag("-f,--follow", options.follow, "wait for new records");
  cli::add_duration(cli, "--idle-exit", options.idle_exit_ms, "with --follow: stop after this long with nothing new")
      ->needs(follow);
  auto* format = cli::add_choice(cli, "--format", options.format, stream::kOutputFormats,
                                "output: record data, envelopes, or Lambda events");
  cli.add_option("--batch-size", options.batch_size, "records per Lambda event")
      ->check(CLI::Range(1, 10000))
      ->option_text("N");
  cli::add_duration(cli, "--lease-timeout", options.lease_timeout_ms,
                    "with a group: a member silent this long loses its shards (default 10s)");
  cli::add_choice(cli, "--checkpoint", options.checkpointing, stream::kCheckpointings,
                  "with a group: checkpoint after each poll, or leave it to the stage reading the envelopes")
      ->needs(group);
  cli::add_sync(cli, sync, "fsync each checkpoint (full) or not (none)");

  auto* exec_option = cli.add_option("--exec", exec.command, "run CMD (by /bin/sh -c) on each batch, as Lambda")
                          ->option_text("CMD")
                          ->excludes(format);
  auto* exec_format = cli::add_choice(cli, "--exec-format", exec.format, stream::kOutputFormats,
                                      "what the handler reads on stdin (default lambda)")
                          ->needs(exec_option);
  runtime::FunctionOptions function_options(cli, function);
  function_options.handler()->excludes(exec_option)->excludes(format);
  function_options.runtime_command()->excludes(exec_option)->excludes(format);
  // Each of these needs a handler: --exec, --handler or --runtime-cmd.
  std::vector<CLI::Option*> invocation_options = {
      cli::add_duration(cli, "--batch-window", exec.batch_window_ms, "wait this long for a batch to fill"),
      cli.add_option("--retries", exec.retries, "retries of a failed batch (default: until its records expire)")
          ->option_text("N"),
      cli::add_duration(cli, "--max-record-age", exec.max_record_age_ms, "older records go to --on-failure unhandled"),
      cli.add_flag("--bisect", exec.bisect, "split a failed batch in two and retry each half"),
      cli.add_option("--on-failure", exec.on_failure, "stream for the failure records of batches given up")
          ->check(cli::name_validator())
          ->option_text("STREAM"),
      cli.add_option("--parallel", exec.parallel, "shards handled at once, each by its own runtime (default 1)")
          ->check(CLI::Range(1, 1024))
          ->option_text("N"),
      cli::add_duration(cli, "--timeout", exec.timeout_ms, "a handler running longer is killed and has failed"),
      exec_format};
  cli::add_progress(cli, progress_mode);

  return app.run(argc, argv, [&] {
    auto start = stream::StartPosition::parse(from);
    if (!start) throw cli::Error(cli::Exit::usage, "--from", "not trim-horizon, latest, at:SEQ, after:SEQ or time:ISO8601");
    options.from = *start;
    if (options.checkpointing == stream::Checkpointing::downstream &&
        (options.format != stream::OutputFormat::envelope || !exec.command.empty() || function_options.given()))
      throw cli::Error(cli::Exit::usage, "--checkpoint downstream", "needs --format envelope, without a handler");
    bool invokes = !exec.command.empty() || function_options.given();
    for (CLI::Option* option : invocation_options)
      if (option->count() > 0 && !invokes)
        throw cli::Error(cli::Exit::usage, option->get_name(), "needs --exec, --handler or --runtime-cmd");
    if (function_options.resolve()) {
      function.name = options.source.group.value_or(options.source.stream);
      function.timeout_ms = exec.timeout_ms.value_or(runtime::kMaxTimeoutMs);
      // An endpoint is where the handler's SDK calls go: a local one, taking any key.
      if (!function.endpoint.empty()) runtime::give_placeholder_keys(function);
      exec.function = function;
    }
    for (const std::string& id : shards) options.shards.push_back(cli::shard_argument(id, "--shard"));
    cli::catch_stop_signals();
    lines::Writer out(STDOUT_FILENO);
    cli::Progress progress("records", progress_mode, cli::Stdout::data);
    options.progress = [&](std::uint64_t records, std::uint64_t bytes, bool caught_up) {
      caught_up ? progress.finish() : progress.update(records, bytes);
    };
    std::uint64_t count = stream::consume_store(app.store(), sync, options, exec, out);
    cli::note(options.source.stream, "{} records", count);
  });
}
