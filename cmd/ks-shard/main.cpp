// ks-shard [-S DIR | -S URL] [--json] create STREAM [--shards N] [--retention DURATION]
// ks-shard [-S DIR | -S URL] [--json] list
// ks-shard [-S DIR | -S URL] [--json] describe STREAM
// ks-shard [-S DIR | -S URL] retention STREAM DURATION
// ks-shard [-S DIR | -S URL] [--json] split STREAM SHARD [--at HASHKEY]
// ks-shard [-S DIR | -S URL] [--json] merge STREAM SHARD SHARD
// ks-shard [-S DIR | -S URL] [--json] scale STREAM --shards N
// ks-shard [-S DIR] [--json] trim STREAM [--progress | --no-progress]
// ks-shard [-S DIR | -S URL] delete STREAM [--progress | --no-progress]
#include <unistd.h>

#include <fmt/format.h>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "lines/time.h"
#include "metrics/last_hour.h"
#include "stream/admin_render.h"
#include "stream/streams_admin.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"ks-shard", "ks-shard: create, list, describe, trim and delete streams"};
  CLI::App& cli = app.parser();
  bool json = false;
  std::string stream;
  std::uint32_t shards = 1;
  std::vector<std::string> shard_ids;
  std::string split_at;
  std::int64_t retention_ms = store::kDefaultRetentionMs;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;
  cli.add_flag("--json", json, "print JSON for scripts instead of tables");
  cli.require_subcommand(1);
  auto command = [&](const char* name, const char* what) {
    CLI::App* sub = cli.add_subcommand(name, what)->fallthrough();
    if (std::string_view(name) != "list")
      sub->add_option("STREAM", stream, "the stream")->required()->check(cli::name_validator());
    return sub;
  };
  CLI::App* create = command("create", "create a stream");
  create->add_option("--shards", shards, "number of shards (1 to 1024)")->option_text("N");
  cli::add_duration(*create, "--retention", retention_ms, "how long records are kept (1m to 365d; default 24h)");
  CLI::App* list = command("list", "list the streams");
  CLI::App* describe = command("describe", "shards, counts and groups of a stream");
  CLI::App* retention = command("retention", "change how long records are kept");
  cli::add_duration(*retention, "DURATION", retention_ms, "the new retention (1m to 365d)")->required();
  CLI::App* split = command("split", "split a shard in two (SplitShard)");
  split->add_option("SHARD", shard_ids, "the shard to split")->required()->expected(1);
  split->add_option("--at", split_at, "the first hash key of the second child (default: the middle)")
      ->option_text("HASHKEY");
  CLI::App* merge = command("merge", "merge two adjacent shards (MergeShards)");
  merge->add_option("SHARD", shard_ids, "the two shards to merge")->required()->expected(2);
  CLI::App* scale = command("scale", "replace the open shards by N even ones (UpdateShardCount)");
  scale->add_option("--shards", shards, "the new number of shards (1 to 1024)")->required()->option_text("N");
  CLI::App* trim = command("trim", "delete the records older than the retention now");
  cli::add_progress(*trim, progress_mode);
  CLI::App* remove = command("delete", "delete a stream, its records and its groups");
  cli::add_progress(*remove, progress_mode);

  return app.run(argc, argv, [&] {
    std::vector<std::uint32_t> indices;
    for (const std::string& id : shard_ids) indices.push_back(cli::shard_argument(id, "SHARD"));
    // The streams are in the store directory, or behind an endpoint (the Kinesis API).
    auto admin = stream::open_streams_admin(app.store(), create->parsed() ? store::Access::write : store::Access::read);
    std::string out;
    cli::Progress progress("records", progress_mode, cli::Stdout::unused);
    auto removing = [&](std::uint64_t removed, std::optional<std::uint64_t> total) {
      progress.set_total_records(total);
      progress.update(removed);
    };
    if (create->parsed()) {
      admin->create(stream, shards, retention_ms);
      if (json) out = stream::describe_json(admin->describe(stream));
    } else if (list->parsed()) {
      auto states = admin->list();
      out = json ? stream::list_json(states) : stream::list_table(states, admin->counts());
    } else if (describe->parsed()) {
      auto state = admin->describe(stream);
      std::string last_hour;  // a terminal's decoration
      if (!json && cli::is_terminal(STDOUT_FILENO))
        last_hour = admin->incoming_last_hour(state, lines::now_ms(), cli::terminal_size(STDOUT_FILENO).columns,
                                              metrics::sparkline_glyphs());
      out = json ? stream::describe_json(state) : stream::describe_table(state, last_hour);
    } else if (retention->parsed()) {
      admin->set_retention(stream, retention_ms);
    } else if (split->parsed() || merge->parsed() || scale->parsed()) {
      auto children = split->parsed()   ? admin->split(stream, indices[0], cli::hash_key_argument(split_at, "--at"))
                      : merge->parsed() ? admin->merge(stream, indices[0], indices[1])
                                        : admin->scale(stream, shards);
      out = json ? stream::shard_ids_json(children) : stream::shard_ids_lines(children);
    } else if (trim->parsed()) {
      auto removed = admin->trim(stream, removing);
      out = json ? fmt::format("{{\"StreamName\":\"{}\",\"TrimmedRecords\":{}}}\n", stream, removed)
                 : fmt::format("{}: {} records trimmed\n", stream, removed);
    } else if (remove->parsed()) {
      admin->remove(stream, removing);
    }
    progress.finish();
    fmt::print("{}", out);
  });
}
