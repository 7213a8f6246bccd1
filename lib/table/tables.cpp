#include "table/tables.h"

#include <unistd.h>

#include "cli/terminal.h"
#include "metrics/last_hour.h"
#include "table/endpoint_tables.h"

namespace millrace::table {
namespace {

// A store directory's tables: table/put.h and table/get.h on its LMDB environment.
class StoreTables final : public Tables {
 public:
  StoreTables(const std::filesystem::path& dir, const TablesAccess& access) : env_(open(dir, access)) {}

  PutStats put_items(const TableSpec& spec, lines::Reader& reader, const PutOptions& options,
                     lines::Writer* changes) override {
    return table::put_items(env_, spec, reader, options, changes);
  }
  bool get_item(std::string_view table, std::string_view partition, std::optional<std::string_view> sort,
                lines::Writer& out) override {
    return table::get_item(env_, table, partition, sort, out);
  }
  std::uint64_t query(std::string_view table, std::string_view partition, const SortCondition& condition,
                      const ReadOptions& options, lines::Writer& out) override {
    return table::query(env_, table, partition, condition, options, out);
  }
  std::uint64_t scan(std::string_view table, const ReadOptions& options, lines::Writer& out) override {
    return table::scan(env_, table, options, out);
  }
  void list_tables(lines::Writer& out) override { table::list_tables(env_, out); }
  void describe_table(std::string_view table, lines::Writer& out, bool decorate) override {
    table::describe_table(env_, table, out);
    if (decorate)
      out.buffer() += capacity_last_hour(env_, table, lines::now_ms(), cli::terminal_size(STDOUT_FILENO).columns,
                                         metrics::sparkline_glyphs());
  }

 private:
  static store::Env open(const std::filesystem::path& dir, const TablesAccess& access) {
    if (!access.missing_table.empty() && !store::Env::exists(dir)) throw store::no_such_table(access.missing_table);
    return store::Env(dir, access.access, access.sync);
  }

  store::Env env_;
};

}  // namespace

std::unique_ptr<Tables> open_tables(const aws::StoreSpec& store, const TablesAccess& access) {
  if (store.remote()) return std::make_unique<EndpointTables>(store);
  return std::make_unique<StoreTables>(store.text, access);
}

}  // namespace millrace::table
