// The AWS client's readers of DynamoDB answers (aws/dynamodb_client.h): DescribeTable,
// ListTables, BatchWriteItem, GetItem and the writes' Attributes, Query and Scan pages and
// DescribeTimeToLive, whatever an endpoint sends back; and the leases of a group's lease table
// (stream/lease_table.h) in a Scan page's items.
//
// Input: one answer's body, given to each reader.
//
// Checks: an answer is read or refused with cli::Error, nothing else; a table has a named
// partition key (and a named sort key when it has one), each index too; BatchWriteItem's
// unprocessed requests are a JSON array of as many objects as it says; every item read is a JSON
// object that comes back the same through DynamoDB's typed form (attribute_value.h's two
// directions); LastEvaluatedKey is a JSON object.
#include <string>
#include <vector>

#include "aws/attribute_value.h"
#include "aws/dynamodb_client.h"
#include "cli/error.h"
#include "fuzz.h"
#include "lines/json.h"
#include "stream/lease_table.h"

using namespace millrace;
using fuzz::require;

namespace {

// `plain` is an item: a JSON object, as the programs read lines (integers beyond 64 bits, which
// DynamoDB's numbers can be, included), that goes to its typed form and back unchanged.
void check_item(std::string_view plain) {
  std::string padded(plain);
  padded.append(lines::kPadding, ' ');
  lines::Validator validator;
  require(validator.parse(std::string_view(padded.data(), plain.size())) == simdjson::SUCCESS &&
              lines::trim_right(plain).starts_with('{'),
          "an item read is not a JSON object");
  simdjson::dom::parser parser;
  aws::ItemEncoder encoder;
  std::string typed;
  require(encoder.append_typed_item(typed, plain).has_value(), "an item read cannot be typed again");
  simdjson::dom::element again;
  require(parser.parse(typed).get(again) == simdjson::SUCCESS, "an item typed again is not JSON");
  std::string back;
  require(!aws::append_plain_item(back, again).error && back == plain, "an item does not survive its typed form");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body = fuzz::as_text(data, size);
  simdjson::dom::parser parser;
  for (std::string_view member : {"Table", "TableDescription"}) {
    try {
      std::string status;
      store::TableMeta table = aws::read_table_description(parser, body, member, status, "fuzz");
      require(!table.partition.name.empty(), "a table without a partition key name");
      require(!table.sort || !table.sort->name.empty(), "a sort key without a name");
      for (const store::IndexMeta& index : table.indexes)
        require(!index.partition.name.empty(), "an index without a partition key name");
    } catch (const cli::Error&) {
    }
  }
  try {
    std::vector<std::string> names;
    aws::read_list_tables_answer(parser, body, names, "fuzz");
    for (const std::string& name : names) require(!name.empty(), "an empty table name");
  } catch (const cli::Error&) {
  }
  try {
    std::string unprocessed;
    std::size_t count = aws::read_batch_write_answer(parser, body, "orders", unprocessed, "fuzz");
    if (count > 0) {
      simdjson::dom::parser again;
      simdjson::dom::array list;
      require(again.parse(unprocessed).get(list) == simdjson::SUCCESS && list.size() == count,
              "unprocessed requests that are not an array of as many as counted");
    } else {
      require(unprocessed.empty(), "unprocessed requests without a count");
    }
  } catch (const cli::Error&) {
  }
  for (std::string_view member : {"Item", "Attributes"}) {
    try {
      std::string plain;
      if (aws::read_item_answer(parser, body, member, plain, "fuzz")) check_item(plain);
    } catch (const cli::Error&) {
    }
  }
  try {
    std::vector<std::string> items;
    std::string last = aws::read_items_page(parser, body, items, "fuzz");
    for (const std::string& item : items) {
      check_item(item);
      try {
        stream::Lease lease = stream::read_lease_item(parser, item, "fuzz");
        require(!lease.shard.empty(), "a lease without a shard id");
        for (const std::string& parent : lease.parents) require(!parent.empty(), "an empty parent shard id");
      } catch (const cli::Error&) {
      }
    }
    if (!last.empty()) {
      simdjson::dom::parser again;
      simdjson::dom::element key;
      require(again.parse(last).get(key) == simdjson::SUCCESS && key.is_object(), "a LastEvaluatedKey that is not an object");
    }
  } catch (const cli::Error&) {
  }
  try {
    auto attribute = aws::read_time_to_live_answer(parser, body, "fuzz");
    require(!attribute || !attribute->empty(), "an empty TTL attribute");
  } catch (const cli::Error&) {
  }
  return 0;
}
