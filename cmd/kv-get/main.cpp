// kv-get [-S DIR | -S URL] -t TABLE KEY [SORTKEY]
// kv-get [-S DIR | -S URL] -t TABLE [--index NAME] --query KEY [--begins-with PREFIX | --between LOW HIGH | --lt V | --le V
//        | --gt V | --ge V] [--reverse] [--limit N] [--where EXPR]
// kv-get [-S DIR | -S URL] -t TABLE [--index NAME] --scan [--where EXPR] [--limit N]
// kv-get [-S DIR | -S URL] --list | --describe TABLE
#include <unistd.h>

#include "cli/app.h"
#include "cli/error.h"
#include "cli/options.h"
#include "cli/terminal.h"
#include "lines/writer.h"
#include "table/tables.h"
#include "expr/condition.h"

using namespace millrace;
using Kind = table::SortCondition::Kind;

int main(int argc, char** argv) {
  cli::App app{"kv-get", "kv-get: read items of a table (DynamoDB GetItem, Query, Scan)"};
  CLI::App& cli = app.parser();
  std::string table_name, query_key, where, describe;
  std::vector<std::string> key;
  bool scan = false, list = false;
  table::SortCondition sort;
  std::vector<std::string> between;
  table::ReadOptions read;

  cli::add_table(cli, table_name);
  cli.add_option("--index", read.index, "with --query or --scan: read the secondary index NAME of the table (IndexName)")
      ->option_text("NAME");
  auto* query = cli.add_option("--query", query_key, "the items of this partition key, by sort key (Query)")
                    ->option_text("KEY");
  cli.add_flag("--scan", scan, "every item of the table (Scan)")->excludes(query);
  auto sort_option = [&](const char* name, Kind kind, const char* description) {
    return cli.add_option_function<std::string>(name, [&sort, kind](const std::string& v) { sort = {kind, v, {}}; },
                                                description)
        ->option_text("VALUE")
        ->needs(query);
  };
  // One condition on the sort key, as in a KeyConditionExpression.
  std::vector<CLI::Option*> conditions = {
      sort_option("--begins-with", Kind::begins_with, "sort keys that begin with PREFIX (strings)")->option_text("PREFIX"),
      cli.add_option("--between", between, "sort keys from LOW to HIGH, both included")
          ->expected(2)
          ->option_text("LOW HIGH")
          ->needs(query),
      sort_option("--lt", Kind::lt, "sort keys below VALUE"), sort_option("--le", Kind::le, "sort keys at most VALUE"),
      sort_option("--gt", Kind::gt, "sort keys above VALUE"), sort_option("--ge", Kind::ge, "sort keys at least VALUE")};
  for (CLI::Option* a : conditions)
    for (CLI::Option* b : conditions)
      if (a != b) a->excludes(b);
  cli.add_flag("--reverse", read.reverse, "descending sort keys")->needs(query);
  cli.add_option("--limit", read.limit, "at most N items")->check(CLI::NonNegativeNumber)->option_text("N");
  cli.add_option("--where", where, "only items that satisfy EXPR")->option_text("EXPR");
  auto* list_flag = cli.add_flag("--list", list, "the tables of the store (ListTables)");
  cli.add_option("--describe", describe, "key schema, item count and bytes of TABLE (DescribeTable)")
      ->check(cli::name_validator())
      ->option_text("TABLE")
      ->excludes(list_flag);
  cli.add_option("KEY", key, "partition key, then sort key (GetItem)")->expected(0, 2)->option_text("KEY [SORTKEY]");

  return app.run_with_status(argc, argv, [&] {
    if (between.size() == 2) sort = {Kind::between, between[0], between[1]};
    if (!where.empty()) read.where = expr::Condition::compile(where, "--where");
    auto tables = table::open_tables(app.store(), {});
    lines::Writer out(STDOUT_FILENO);
    if (list || !describe.empty()) {
      list ? tables->list_tables(out) : tables->describe_table(describe, out, cli::is_terminal(STDOUT_FILENO));
      out.flush();
      return 0;
    }
    if (table_name.empty()) throw cli::Error(cli::Exit::usage, "", "-t TABLE is required");
    if (!read.index.empty() && query_key.empty() && !scan) throw cli::Error(cli::Exit::usage, "--index", "reads with --query or --scan");
    bool found = true;
    if (!query_key.empty()) {
      tables->query(table_name, query_key, sort, read, out);
    } else if (scan) {
      tables->scan(table_name, read, out);
    } else if (!key.empty()) {
      found = tables->get_item(table_name, key[0], key.size() > 1 ? std::optional(std::string_view(key[1])) : std::nullopt, out);
    } else {
      throw cli::Error(cli::Exit::usage, "", "give KEY [SORTKEY], --query KEY, --scan, --list or --describe TABLE");
    }
    out.flush();
    return found ? 0 : 1;  // GetItem of no item: nothing printed, and 1, as grep finding nothing
  });
}
