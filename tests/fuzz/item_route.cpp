// The item route's requests as gw-serve reads them: GET /tables/NAME/items/KEY[/SORTKEY]?QUERY
// (serve/item_route.h), the path cut into percent-decoded segments, the parameters parsed, the
// keys typed and read from a store.
//
// Input: the request target, "/tables/..." added in front unless it starts with it.
//
// Checks: the answer is 200, 400 or 404 (never 500: every failure is the client's); a 200 is
// the item, one JSON object, or a query's JSON lines, each an object of the partition asked
// for; every error is {"message":...}. What the read consumed, for the metrics: a GetItem or a
// Query of one table, as many items as the answer's lines, half a unit at least.
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "fuzz.h"
#include "lines/reader.h"
#include "serve/item_route.h"
#include "store/env.h"
#include "table/put.h"

using namespace millrace;
using fuzz::require;

namespace {

// One store for the whole run, with tables the inputs can name: "chat" (S then N keys) and
// "blobs" (a B key), filled by kv-put's code.
struct Fixture {
  Fixture() : dir(directory()), env(dir + "/store", store::Access::write, store::Sync::none) {
    put({"chat", std::string("User"), std::string("Time"), store::KeyType::string, store::KeyType::number,
         std::nullopt, true},
        "{\"User\":\"ann\",\"Time\":1,\"m\":\"a\"}\n{\"User\":\"ann\",\"Time\":2.5}\n"
        "{\"User\":\"b/c d\",\"Time\":-3}\n");
    put({"blobs", std::string("id"), std::nullopt, store::KeyType::binary, std::nullopt, std::nullopt, true},
        "{\"id\":{\"$B\":\"+/8=\"}}\n{\"id\":{\"$B\":\"AAEC\"},\"v\":1}\n");
  }
  static std::string directory() {
    char pattern[] = "/tmp/millrace-fuzz-item-route-XXXXXX";
    require(::mkdtemp(pattern) != nullptr, "mkdtemp");
    return pattern;
  }
  void put(const table::TableSpec& spec, std::string_view lines) {
    std::string file = dir + "/" + spec.name + ".jsonl";
    FILE* out = std::fopen(file.c_str(), "w");
    require(out != nullptr && std::fwrite(lines.data(), 1, lines.size(), out) == lines.size() && std::fclose(out) == 0,
            "writing the fixture's items");
    lines::Reader reader({file}, table::max_line_length(lines::InputFormat{}));
    table::put_items(env, spec, reader, {}, nullptr);
  }
  std::string dir;
  store::Env env;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string target(fuzz::as_text(data, size));
  if (!target.starts_with(serve::kTablesRoute)) target.insert(0, serve::kTablesRoute);
  std::size_t question = target.find('?');
  std::string_view path = std::string_view(target).substr(0, question);
  std::string_view query = question == std::string::npos ? std::string_view{} : std::string_view(target).substr(question + 1);

  serve::dynamodb::ReadUsage usage;
  serve::HttpAnswer answer = serve::get_items(fixture.env, path, query, &usage);
  require(answer.status == 200 || answer.status == 400 || answer.status == 404, "a status other than 200, 400 or 404");
  require(usage.tables.size() <= 1, "a read of more than one table");
  if (!usage.tables.empty()) {
    require(usage.operation == "GetItem" || usage.operation == "Query", "a read that is neither GetItem nor Query");
    require(usage.tables[0].consumed.table_units() >= (usage.operation == "GetItem" ? 0.5 : 0), "a GetItem that cost nothing");
    if (answer.status == 200)
      require(usage.tables[0].items == fuzz::split_lines(answer.body).size(), "items counted that the answer does not hold");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (answer.status != 200) {
    std::string_view message;
    require(!parser.parse(answer.body).get(root) && !root["message"].get(message), "an error without a message");
    return 0;
  }
  for (std::string_view line : fuzz::split_lines(answer.body)) {
    fuzz::Padded padded(line);
    simdjson::dom::object item;
    require(!parser.parse(padded.view().data(), padded.view().size(), false).get(item), "an answer line that is not an object");
  }
  return 0;
}
