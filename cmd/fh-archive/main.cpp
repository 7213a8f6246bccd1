// fh-archive -d BUCKET [-S DIR] [-s STREAM -g GROUP [-f] [--lease-timeout DURATION]] [--format data|envelope]
//            [--prefix TEMPLATE] [--error-prefix TEMPLATE] [--partition-by [NAME=]FIELD ...]
//            [--buffer-size SIZE] [--buffer-interval DURATION] [--compression zstd|none] [--level N]
//            [--name NAME] [--sync full|none] [--progress | --no-progress] [FILE ...]
#include <memory>

#include "archive/archiver.h"
#include "archive/bucket.h"
#include "archive/delivery.h"
#include "archive/object_name.h"
#include "archive/run.h"
#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/error.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "lines/reader.h"
#include "store/env.h"
#include "store/notify.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"fh-archive", "fh-archive: buffered, compressed, partitioned objects of JSON lines (Firehose to S3)"};
  CLI::App& cli = app.parser();
  std::string dir;
  stream::ConsumeOptions source;
  lines::InputFormat format = lines::InputFormat::data;
  archive::ArchiveOptions options;
  std::vector<std::string> partition_by, files;
  std::string buffer_size;
  std::optional<std::int64_t> interval;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;

  cli.add_option("-d,--dir", dir, "the bucket: a directory, made if missing")->required()->option_text("BUCKET");
  auto* stream = cli::add_stream(cli, source.source.stream);
  auto* group = cli::add_group(cli, source.source.group);
  stream->needs(group);
  group->needs(stream);
  cli.add_flag("-f,--follow", source.follow, "with --stream: wait for new records")->needs(stream);
  cli::add_duration(cli, "--lease-timeout", source.lease_timeout_ms,
                    "with --stream: a member silent this long loses its shards (default 10s)")
      ->needs(stream);
  cli::add_input_format(cli, format)->excludes(stream);
  cli.add_option("--prefix", options.prefix, "where objects go: Firehose's !{...} expressions (default hourly)")
      ->option_text("TEMPLATE");
  cli.add_option("--error-prefix", options.error_prefix, "where records that cannot be delivered go")
      ->option_text("TEMPLATE");
  cli.add_option("--partition-by", partition_by, "a partition key, !{partitionKeyFromQuery:NAME} (repeatable)")
      ->allow_extra_args(false)
      ->option_text("[NAME=]FIELD");
  cli.add_option("--buffer-size", buffer_size, "write an object at this many bytes of lines (1MiB-128MiB; 5MiB)")
      ->option_text("SIZE");
  cli::add_duration(cli, "--buffer-interval", interval, "or when it has been open this long (0-900s; 300s)");
  cli::add_choice(cli, "--compression", options.compression,
                  {{"zstd", archive::Compression::zstd}, {"none", archive::Compression::none}},
                  "objects as zstd frames (default) or plain JSON lines");
  cli.add_option("--level", options.level, "zstd level (1-19; default 3)")->check(CLI::Range(1, 19))->option_text("N");
  cli.add_option("--name", options.name, "object names begin with NAME (default archive)")->option_text("NAME");
  cli::add_sync(cli, options.sync, "fsync objects and checkpoints (full) or not (none)");
  cli::add_progress(cli, progress_mode)->excludes(stream);
  cli.add_option("FILE", files, "input files; - or none: stdin")->option_text("FILE ...")->excludes(stream);

  return app.run(argc, argv, [&] {
    for (const std::string& spec : partition_by) options.partition_by.push_back(archive::partition_key_argument(spec));
    if (!buffer_size.empty()) options.buffer_bytes = archive::buffer_size_argument(buffer_size);
    if (interval) options.interval_ms = archive::buffer_interval_argument(*interval);
    if (auto problem = archive::check_object_name(options.name)) throw cli::Error(cli::Exit::usage, "--name", *problem);
    archive::Bucket bucket(dir, archive::Bucket::Open::create);
    std::unique_ptr<store::Env> env;
    archive::Delivery delivery(bucket, [&]() -> store::Env& {
      env = std::make_unique<store::Env>(app.store_dir(), store::Access::read, options.sync);
      return *env;
    });
    archive::Archiver archiver(bucket, delivery, options);
    cli::catch_stop_signals();
    if (source.source.group) {
      store::Env& store = delivery.store();
      store::Notifier notifier(store.dir());
      archive::archive_stream(store, notifier, source, archiver, delivery);
    } else {
      lines::Reader reader(files, archive::max_line_length(format));
      cli::Progress progress("records", progress_mode, cli::Stdout::unused);
      progress.follow(reader);
      archive::archive_lines(reader, format, archiver, delivery);
      progress.finish();
    }
    const archive::ArchiveStats& stats = archiver.stats();
    if (stats.errors > 0) cli::warn(dir, "{} records could not be delivered: see the error prefix", stats.errors);
    cli::note(dir, "{} records in {} objects, {} bytes of lines in {} bytes; {} read again and skipped", stats.records,
              stats.objects, stats.bytes_in, stats.bytes_out, stats.skipped);
  });
}
