// kv-put [-S DIR | -S URL] -t TABLE [-k FIELD [--sort-key FIELD]] [--create [--key-type string|number]
//        [--sort-key-type string|number]] [--merge | --add FIELDS | --remove FIELDS | --delete]
//        [--if-absent | --if EXPR] [--ttl FIELD] [--emit changes] [--format data|envelope]
//        [--sync full|none] [--on-error fail|skip] [--progress | --no-progress] [FILE ...]
#include <unistd.h>

#include "cli/app.h"
#include "cli/diagnostics.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "expr/condition.h"
#include "lines/reader.h"
#include "lines/writer.h"
#include "store/env.h"
#include "table/schema.h"
#include "table/tables.h"

using namespace millrace;

int main(int argc, char** argv) {
  cli::App app{"kv-put", "kv-put: write JSON lines as items of a table (DynamoDB PutItem, UpdateItem, DeleteItem)"};
  CLI::App& cli = app.parser();
  table::TableSpec spec;
  table::PutOptions put;
  std::string key, sort_key, ttl, add, remove, condition;
  bool merge = false, remove_items = false;
  std::string emit;
  store::Sync sync = store::Sync::full;
  cli::ProgressMode progress_mode = cli::ProgressMode::automatic;
  std::vector<std::string> files;

  cli::add_table(cli, spec.name)->required();
  cli.add_option("-k,--key", key, "the partition key attribute")->option_text("FIELD");
  cli.add_option("--sort-key", sort_key, "the sort key attribute")->option_text("FIELD");
  auto* create = cli.add_flag("--create", spec.create, "create the table if it does not exist");
  cli::add_choice(cli, "--key-type", spec.partition_type, table::kKeyTypes, "with --create: the partition key's type")
      ->needs(create);
  cli::add_choice(cli, "--sort-key-type", spec.sort_type, table::kKeyTypes, "with --create: the sort key's type")
      ->needs(create);
  auto* merge_flag = cli.add_flag("--merge", merge, "update the attributes given, keep the others (UpdateItem SET)");
  auto* add_option = cli.add_option("--add", add, "add these numbers to the stored ones (UpdateItem ADD)")
                         ->option_text("FIELD[,FIELD...]");
  auto* remove_option =
      cli.add_option("--remove", remove, "remove these attributes (UpdateItem REMOVE)")->option_text("FIELD[,FIELD...]");
  cli.add_flag("--delete", remove_items, "delete the item each line names (DeleteItem)")
      ->excludes(merge_flag)
      ->excludes(add_option)
      ->excludes(remove_option);
  auto* if_absent = cli.add_flag("--if-absent", put.if_absent, "write only items whose key is not stored yet");
  cli.add_option("--if", condition, "write only where the stored item satisfies EXPR")
      ->option_text("EXPR")
      ->excludes(if_absent);
  cli.add_option("--ttl", ttl, "the table's TTL attribute: epoch seconds after which an item expires")
      ->option_text("FIELD");
  cli::add_choice(cli, "--emit", emit, std::vector<std::pair<std::string, std::string>>{{"changes", "changes"}},
                  "print a DynamoDB Streams record for each change");
  cli::add_input_format(cli, put.format);
  cli::add_sync(cli, sync, "fsync each commit (full) or not (none)");
  cli::add_on_error(cli, put.on_error);
  cli::add_progress(cli, progress_mode);
  cli.add_option("FILE", files, "input files; - or none: stdin")->option_text("FILE ...");

  return app.run(argc, argv, [&] {
    if (!key.empty()) spec.partition = table::attribute_argument(key, "-k");
    if (!sort_key.empty()) spec.sort = table::attribute_argument(sort_key, "--sort-key");
    if (!ttl.empty()) spec.ttl = table::attribute_argument(ttl, "--ttl");
    for (const lines::Field& field : cli::field_list(add)) put.update.add.push_back(table::attribute_argument(field.spec(), "--add"));
    for (const lines::Field& field : cli::field_list(remove))
      put.update.remove.push_back(table::attribute_argument(field.spec(), "--remove"));
    if (merge || !put.update.add.empty() || !put.update.remove.empty()) put.action = table::Action::update;
    if (remove_items) put.action = table::Action::remove;
    if (!condition.empty()) put.condition = expr::Condition::compile(condition, "--if");

    auto tables = table::open_tables(app.store(), {spec.create ? store::Access::write : store::Access::read, sync,
                                                   spec.create ? std::string_view() : std::string_view(spec.name)});
    lines::Reader reader(files, table::max_line_length(put.format));
    lines::Writer out(STDOUT_FILENO);
    cli::Progress progress("items", progress_mode, emit.empty() ? cli::Stdout::unused : cli::Stdout::data);
    progress.follow(reader);
    auto stats = tables->put_items(spec, reader, put, emit.empty() ? nullptr : &out);
    progress.finish();
    if (stats.skipped > 0) cli::warn(spec.name, "{} bad lines skipped", stats.skipped);
    cli::note(spec.name, "{} items written, {} deleted, {} not written (condition failed), {} expired removed",
              stats.written, stats.removed, stats.refused, stats.expired);
  });
}
