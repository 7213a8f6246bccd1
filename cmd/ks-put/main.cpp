// ks-put [-S DIR | -S URL] -s STREAM [-k FIELD | --partition-key STRING] [--explicit-hash-key DECIMAL]
//        [--format data|envelope] [--raw] [--sync full|none] [--on-error fail|skip] [--print]
//        [--create [--shards N]] [--progress | --no-progress] [FILE ...]
#include <unistd.h>

#include <optional>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/hash_key.h"
#include "stream/put_parser.h"
#include "stream/put_target.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"ks-put", "ks-put: append JSON lines to a stream (Kinesis PutRecord/PutRecords)"};
  CLI::App& cli = app.parser();
  std::string stream, key_field, explicit_hash_key;
  stream::PutOptions put;
  store::Sync sync = store::Sync::full;
  lines::OnError on_error = lines::OnError::fail;
  bool print = false, create = false;
  std::uint32_t shards = 1;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;
  std::vector<std::string> files;

  cli::add_stream(cli, stream)->required();
  auto* key = cli.add_option("-k,--key", key_field, "partition key: a field name or JSON pointer")->option_text("FIELD");
  cli.add_option("--partition-key", put.partition_key, "the same partition key for every record")
      ->check(cli::partition_key_validator())
      ->option_text("STRING")
      ->excludes(key);
  cli.add_option("--explicit-hash-key", explicit_hash_key, "route by this decimal hash key instead of MD5")
      ->option_text("DECIMAL");
  cli::add_input_format(cli, put.format);
  cli.add_flag("--raw", put.raw, "store lines that are not JSON too");
  cli::add_sync(cli, sync, "fsync each commit (full) or not (none)");
  cli::add_on_error(cli, on_error);
  cli.add_flag("--print", print, "print {\"shard\",\"seq\"} for each record put");
  auto* create_flag = cli.add_flag("--create", create, "create the stream if it does not exist");
  cli.add_option("--shards", shards, "shard count for --create (1 to 1024; default 1)")->needs(create_flag)->option_text("N");
  cli::add_progress(cli, progress_mode);
  cli.add_option("FILE", files, "input files; - or none: stdin")->option_text("FILE ...");

  return app.run(argc, argv, [&] {
    if (!key_field.empty()) put.key_field.emplace(key_field);
    put.explicit_hash_key = cli::hash_key_argument(explicit_hash_key, "--explicit-hash-key");
    // The stream is in the store directory, or behind an endpoint (PutRecords).
    stream::PutTarget target(app.store(), stream, sync, create ? std::optional(shards) : std::nullopt);
    if (target.created()) cli::note(stream, "created with {} shards", shards);
    lines::Reader reader(files, stream::max_line_length(put.format));
    stream::PutParser parser(put);
    lines::Writer out(STDOUT_FILENO);
    lines::Writer* printed = print ? &out : nullptr;
    cli::Progress progress("records", progress_mode, print ? cli::Stdout::data : cli::Stdout::unused);
    progress.follow(reader);
    std::string hash_key = put.explicit_hash_key ? store::format_hash_key(*put.explicit_hash_key) : "";
    auto stats = target.put(reader, parser, on_error, printed, hash_key);
    progress.finish();
    if (stats.skipped > 0) cli::warn(stream, "{} bad lines skipped", stats.skipped);
    cli::note(stream, "{} records put", stats.records);
  });
}
