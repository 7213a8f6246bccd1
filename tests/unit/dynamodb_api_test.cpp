#include "serve/dynamodb_api.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "lines/writer.h"
#include "store/tables.h"
#include "table/get.h"
#include "temp_dir.h"

using millrace::serve::ApiAnswer;
using millrace::serve::DynamoDbApi;
using millrace::test::TempDir;
namespace store = millrace::store;

namespace {

class Api {
 public:
  Api() : env_(dir_ / "store", store::Access::write, store::Sync::none), committer_(env_), api_(env_, committer_) {}

  // The answer's body, parsed; the status must be `status`.
  simdjson::dom::element call(std::string_view operation, const std::string& body, int status = 200) {
    ApiAnswer answer = api_.call(operation, body);
    INFO(operation << " " << body << " -> " << answer.body);
    CHECK(answer.status == status);
    last_ = answer.body.empty() ? "{}" : answer.body;
    return parser_.parse(last_).value();
  }
  std::string raw(std::string_view operation, const std::string& body) { return api_.call(operation, body).body; }
  // The __type and message of an error answer.
  std::string error(std::string_view operation, const std::string& body) {
    auto answer = call(operation, body, 400);
    return std::string(answer["__type"].get_string().value()) + ": " + std::string(answer["message"].get_string().value());
  }
  store::Env& env() { return env_; }

 private:
  TempDir dir_;
  store::Env env_;
  millrace::serve::ItemCommitter committer_;
  DynamoDbApi api_;
  simdjson::dom::parser parser_;
  std::string last_;
};

const std::string kRides =
    R"({"TableName":"rides","KeySchema":[{"AttributeName":"Name","KeyType":"HASH"},{"AttributeName":"At","KeyType":"RANGE"}],)"
    R"("AttributeDefinitions":[{"AttributeName":"Name","AttributeType":"S"},{"AttributeName":"At","AttributeType":"N"}],)"
    R"("BillingMode":"PAY_PER_REQUEST"})";
const std::string kValidation = "com.amazon.coral.validate#ValidationException: ";
const std::string kNoTable = "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException: Cannot do operations on a non-existent table";

std::string str(simdjson::dom::element e) { return std::string(e.get_string().value()); }

std::string put(const std::string& name, int at, const std::string& more = "") {
  return R"({"TableName":"rides","Item":{"Name":{"S":")" + name + R"("},"At":{"N":")" + std::to_string(at) + "\"}" + more + "}}";
}

}  // namespace

TEST_CASE("CreateTable, DescribeTable, ListTables and DeleteTable, as DynamoDB Local answers") {
  Api api;
  auto created = api.call("CreateTable", kRides)["TableDescription"];
  CHECK(str(created["TableStatus"]) == "ACTIVE");
  CHECK(str(created["TableArn"]) == "arn:aws:dynamodb:us-east-1:000000000000:table/rides");
  CHECK(str(created["BillingModeSummary"]["BillingMode"]) == "PAY_PER_REQUEST");
  CHECK(str(created["KeySchema"].at(1)["AttributeName"]) == "At");
  CHECK(str(created["AttributeDefinitions"].at(1)["AttributeType"]) == "N");
  CHECK(api.error("CreateTable", kRides) == "com.amazonaws.dynamodb.v20120810#ResourceInUseException: Cannot create preexisting table");

  auto described = api.call("DescribeTable", R"({"TableName":"rides"})")["Table"];
  CHECK(described["ItemCount"].get_int64().value() == 0);
  CHECK(api.error("DescribeTable", R"({"TableName":"nope"})") == kNoTable);

  auto page = api.call("ListTables", R"({"Limit":1})");
  CHECK(str(page["TableNames"].at(0)) == "rides");
  CHECK(page["LastEvaluatedTableName"].error() == simdjson::NO_SUCH_FIELD);  // no table after it

  CHECK(str(api.call("DeleteTable", R"({"TableName":"rides"})")["TableDescription"]["TableStatus"]) == "DELETING");
  CHECK(api.error("DescribeTable", R"({"TableName":"rides"})") == kNoTable);
}

TEST_CASE("CreateTable's checks of the key schema, in DynamoDB Local's words") {
  Api api;
  auto create = [&](const std::string& keys, const std::string& definitions, const std::string& more = R"(,"BillingMode":"PAY_PER_REQUEST")") {
    return api.error("CreateTable", R"({"TableName":"t12","KeySchema":)" + keys + R"(,"AttributeDefinitions":)" + definitions + more + "}");
  };
  const std::string k = R"([{"AttributeName":"k","KeyType":"HASH"}])";
  const std::string ks = R"([{"AttributeName":"k","AttributeType":"S"}])";
  CHECK(create(k, ks, "") == kValidation + "No provisioned throughput specified for the table");
  CHECK(create(k, R"([{"AttributeName":"k","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}])") ==
        kValidation + "The number of attributes in key schema must match the number of attributes defined in attribute definitions.");
  CHECK(create(k, R"([{"AttributeName":"x","AttributeType":"S"}])") == kValidation + "Hash Key not specified in Attribute Definitions.  Type unknown.");
  CHECK(create(R"([{"AttributeName":"k","KeyType":"RANGE"}])", ks) ==
        kValidation + "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
  CHECK(create(R"([{"AttributeName":"k","KeyType":"HASH"},{"AttributeName":"k","KeyType":"RANGE"}])", ks) ==
        kValidation + "Two keys can not have the same name");
  CHECK(create(R"([{"AttributeName":"j","KeyType":"RANGE"},{"AttributeName":"k","KeyType":"HASH"}])",
               R"([{"AttributeName":"k","AttributeType":"S"},{"AttributeName":"j","AttributeType":"S"}])") ==
        kValidation + "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second");
  CHECK(create(k, R"([{"AttributeName":"k","AttributeType":"S"},{"AttributeName":"k","AttributeType":"S"}])") ==
        kValidation + "Cannot have two attributes with the same name");
  // The model's constraints come first, with its words.
  CHECK(api.error("CreateTable", R"({"TableName":"x","KeySchema":[],"AttributeDefinitions":[]})").starts_with(kValidation + "2 validation errors detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; "));
}

TEST_CASE("items put through the API come back exactly, and are the plain JSON kv-get reads") {
  Api api;
  api.call("CreateTable", kRides);
  api.call("PutItem", put("Shadowfax", 2, R"(,"Magic":{"N":"1.50"},"Tags":{"SS":["b","a"]},"Blob":{"B":"AAEC"},"On":{"BOOL":true})"));
  auto item = api.call("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"Shadowfax"},"At":{"N":"2.0"}}})")["Item"];
  CHECK(str(item["Magic"]["N"]) == "1.5");  // DynamoDB's text of 1.50
  CHECK(str(item["Tags"]["SS"].at(0)) == "b");
  CHECK(str(item["Blob"]["B"]) == "AAEC");
  CHECK(item["On"]["BOOL"].get_bool().value());

  millrace::lines::Writer out(-1);
  CHECK(millrace::table::get_item(api.env(), "rides", "Shadowfax", std::string_view("2"), out));
  CHECK(out.buffer() == R"({"Name":"Shadowfax","At":2,"Magic":1.5,"Tags":{"$SS":["b","a"]},"Blob":{"$B":"AAEC"},"On":true})"
                        "\n");
  out.buffer().clear();
  // No item: an answer without Item.
  CHECK(api.raw("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"Nobody"},"At":{"N":"1"}}})") == "{}");
}

TEST_CASE("keys are checked as DynamoDB Local checks them") {
  Api api;
  api.call("CreateTable", kRides);
  CHECK(api.error("PutItem", R"({"TableName":"rides","Item":{"Name":{"S":"a"}}})") == kValidation + "One of the required keys was not given a value");
  CHECK(api.error("PutItem", put("a", 1).replace(put("a", 1).find(R"({"S":"a"})"), 9, R"({"N":"1"})")) ==
        kValidation + "One or more parameter values were invalid: Type mismatch for key");
  CHECK(api.error("PutItem", put("", 1)) ==
        kValidation + "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
                      "string value. Key: Name");
  CHECK(api.error("PutItem", put(std::string(2049, 'x'), 1)) ==
        kValidation + "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes");
  CHECK(api.error("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"a"}}})") == kValidation + "The number of conditions on the keys is invalid");
  CHECK(api.error("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"a"},"X":{"N":"1"}}})") ==
        kValidation + "One of the required keys was not given a value");
  CHECK(api.error("GetItem", R"({"TableName":"nope","Key":{"Name":{"S":"a"}}})") == kNoTable);
  // 400 KB, as DynamoDB counts an item: names and values.
  std::string big(400 * 1024 - (4 + 1 + 2 + 2 + 1), 'z');  // Name a, At 1 (2 bytes), v
  CHECK(api.raw("PutItem", put("a", 1, R"(,"v":{"S":")" + big + "\"}")) == "{}");
  CHECK(api.error("PutItem", put("a", 1, R"(,"v":{"S":")" + big + "z\"}")) == kValidation + "Item size has exceeded the maximum allowed size");
}

TEST_CASE("ReturnValues and ConsumedCapacity of writes and reads, as DynamoDB Local counts them") {
  Api api;
  api.call("CreateTable", kRides);
  // Name(4)+a(1)+At(2)+N 1(2)+p(1)+2000 = 2010 bytes: 2 write units; read: 1 unit, halved.
  std::string item = put("a", 1, R"(,"p":{"S":")" + std::string(2000, 'x') + "\"}");
  item.insert(item.size() - 1, R"(,"ReturnConsumedCapacity":"TOTAL")");
  CHECK(api.call("PutItem", item)["ConsumedCapacity"]["CapacityUnits"].get_double().value() == 2.0);
  auto small = api.call("PutItem", put("a", 1).insert(put("a", 1).size() - 1, R"(,"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"INDEXES")"));
  CHECK(small["ConsumedCapacity"]["CapacityUnits"].get_double().value() == 2.0);  // the larger of the old and the new
  CHECK(small["ConsumedCapacity"]["Table"]["CapacityUnits"].get_double().value() == 2.0);
  CHECK(str(small["Attributes"]["p"]["S"]).size() == 2000);
  CHECK(api.raw("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"a"},"At":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"})")
            .ends_with(R"("ConsumedCapacity":{"TableName":"rides","CapacityUnits":0.5}})"));
  CHECK(api.raw("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"z"},"At":{"N":"1"}},"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"})") ==
        R"({"ConsumedCapacity":{"TableName":"rides","CapacityUnits":1.0}})");
  CHECK(api.error("PutItem", put("a", 1).insert(put("a", 1).size() - 1, R"(,"ReturnValues":"ALL_NEW")")) ==
        kValidation + "Return values set to invalid value");
  auto removed = api.call("DeleteItem", R"({"TableName":"rides","Key":{"Name":{"S":"a"},"At":{"N":"1"}},"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"TOTAL"})");
  CHECK(str(removed["Attributes"]["Name"]["S"]) == "a");
  CHECK(removed["ConsumedCapacity"]["CapacityUnits"].get_double().value() == 1.0);
  CHECK(api.raw("DeleteItem", R"({"TableName":"rides","Key":{"Name":{"S":"a"},"At":{"N":"1"}},"ReturnConsumedCapacity":"TOTAL"})") ==
        R"({"ConsumedCapacity":{"TableName":"rides","CapacityUnits":1.0}})");
}

TEST_CASE("Query by KeyConditions: order, ScanIndexForward, Limit and LastEvaluatedKey, Select COUNT") {
  Api api;
  api.call("CreateTable", kRides);
  for (int at : {3, 1, 10, 2}) api.call("PutItem", put("u", at));
  api.call("PutItem", put("v", 1));
  const std::string eq = R"("KeyConditions":{"Name":{"AttributeValueList":[{"S":"u"}],"ComparisonOperator":"EQ"}})";
  auto first = api.call("Query", R"({"TableName":"rides",)" + eq + R"(,"Limit":2})");
  CHECK(first["Count"].get_int64().value() == 2);
  CHECK(str(first["Items"].at(0)["At"]["N"]) == "1");  // numbers by value: 1, 2, 3, 10
  CHECK(str(first["LastEvaluatedKey"]["At"]["N"]) == "2");
  auto rest = api.call("Query", R"({"TableName":"rides",)" + eq + R"(,"ExclusiveStartKey":{"Name":{"S":"u"},"At":{"N":"2"}}})");
  CHECK(rest["Count"].get_int64().value() == 2);
  CHECK(str(rest["Items"].at(1)["At"]["N"]) == "10");
  CHECK(rest["LastEvaluatedKey"].error() == simdjson::NO_SUCH_FIELD);
  auto down = api.call("Query", R"({"TableName":"rides","ScanIndexForward":false,"KeyConditions":{"Name":{"AttributeValueList":[{"S":"u"}],"ComparisonOperator":"EQ"},)"
                                R"("At":{"AttributeValueList":[{"N":"2"}],"ComparisonOperator":"GE"}}})");
  CHECK(str(down["Items"].at(0)["At"]["N"]) == "10");
  CHECK(down["Count"].get_int64().value() == 3);
  CHECK(api.raw("Query", R"({"TableName":"rides","Select":"COUNT",)" + eq + "}") == R"({"Count":4,"ScannedCount":4})");
  CHECK(api.error("Query", R"({"TableName":"rides"})") ==
        kValidation + "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  CHECK(api.error("Query", R"({"TableName":"rides","KeyConditions":{"At":{"AttributeValueList":[{"N":"1"}],"ComparisonOperator":"EQ"}}})") ==
        kValidation + "Query condition missed key schema element");
  CHECK(api.error("Query", R"({"TableName":"rides","KeyConditions":{"Name":{"AttributeValueList":[{"S":"u"}],"ComparisonOperator":"EQ"},)"
                           R"("At":{"AttributeValueList":[{"N":"3"},{"N":"1"}],"ComparisonOperator":"BETWEEN"}}})") ==
        kValidation + "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
  CHECK(api.error("Query", R"({"TableName":"rides",)" + eq + R"(,"ExclusiveStartKey":{"Name":{"S":"v"},"At":{"N":"1"}}})") ==
        kValidation + "The provided starting key does not match the range key predicate");
}

TEST_CASE("conditions are evaluated in the write's own transaction: concurrent conditional increments lose none") {
  Api api;
  api.call("CreateTable", kRides);
  api.call("PutItem", put("counter", 1, R"(,"n":{"N":"0"},"m":{"N":"0"})"));
  const std::string key = R"("Key":{"Name":{"S":"counter"},"At":{"N":"1"}})";
  constexpr int kClients = 8, kIncrements = 40;
  std::atomic<int> conflicts = 0, failures = 0, won = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      simdjson::dom::parser parser;
      for (int i = 0; i < kIncrements; ++i) {
        // Read n, then write n + 1 if n is still what was read: a lost update is impossible
        // only if the condition and the write are one step.
        while (true) {
          std::string got = api.raw("GetItem", R"({"TableName":"rides","ConsistentRead":true,)" + key + "}");
          std::string_view n = parser.parse(got)["Item"]["n"]["N"].get_string().value_unsafe();
          std::string old(n);
          std::string next = std::to_string(std::stoi(old) + 1);
          std::string answer = api.raw("UpdateItem", R"({"TableName":"rides",)" + key +
                                                         R"(,"UpdateExpression":"SET n = :next ADD m :one","ConditionExpression":"n = :old",)"
                                                         R"("ExpressionAttributeValues":{":next":{"N":")" + next + R"("},":old":{"N":")" + old +
                                                         R"("},":one":{"N":"1"}}})");
          if (answer == "{}") break;
          if (answer.find("ConditionalCheckFailedException") == std::string::npos) {
            ++failures;
            return;
          }
          ++conflicts;
        }
      }
      // And one creation each of an item that must be created once.
      std::string created = api.raw("PutItem", R"({"TableName":"rides","Item":{"Name":{"S":"once"},"At":{"N":"1"},"by":{"N":")" +
                                                   std::to_string(c) +
                                                   R"x("}},"ConditionExpression":"attribute_not_exists(#n)","ExpressionAttributeNames":{"#n":"Name"}})x");
      if (created == "{}") ++won;
    });
  }
  for (std::thread& t : clients) t.join();
  CHECK(failures == 0);
  CHECK(won == 1);
  auto item = api.call("GetItem", R"({"TableName":"rides",)" + key + "}")["Item"];
  CHECK(str(item["n"]["N"]) == std::to_string(kClients * kIncrements));
  CHECK(str(item["m"]["N"]) == std::to_string(kClients * kIncrements));
  MESSAGE(conflicts.load() << " conditional writes found their condition false and were retried");
}

TEST_CASE("UpdateItem, conditions and projections on the API, as DynamoDB Local answers them") {
  Api api;
  api.call("CreateTable", kRides);
  const std::string key = R"("Key":{"Name":{"S":"a"},"At":{"N":"1"}})";
  // An update of an absent item makes it; UPDATED_NEW gives the paths the update names.
  auto made = api.call("UpdateItem", R"({"TableName":"rides",)" + key +
                                         R"(,"UpdateExpression":"SET l = list_append(if_not_exists(l, :e), :x), c = :c ADD s :s",)"
                                         R"("ExpressionAttributeValues":{":e":{"L":[]},":x":{"L":[{"S":"x"}]},":c":{"M":{"d":{"N":"2"}}},)"
                                         R"(":s":{"SS":["q"]}},"ReturnValues":"UPDATED_NEW"})");
  CHECK(simdjson::minify(made["Attributes"]["l"]) == R"({"L":[{"S":"x"}]})");
  CHECK(simdjson::minify(made["Attributes"]["c"]) == R"({"M":{"d":{"N":"2"}}})");
  CHECK(simdjson::minify(made["Attributes"]["s"]) == R"({"SS":["q"]})");
  CHECK(made["Attributes"].get_object().value().size() == 3);
  auto old = api.call("UpdateItem", R"({"TableName":"rides",)" + key +
                                        R"(,"UpdateExpression":"SET c.d = c.d * :x","ExpressionAttributeValues":{":x":{"N":"3"}},"ReturnValues":"UPDATED_OLD"})",
                      400);
  CHECK(str(old["message"]) == R"(Invalid UpdateExpression: Syntax error; token: "*", near: "d * :x")");  // the token before, the token, the one after
  old = api.call("UpdateItem", R"({"TableName":"rides",)" + key +
                                   R"(,"UpdateExpression":"SET c.d = c.d + :x","ExpressionAttributeValues":{":x":{"N":"3"}},"ReturnValues":"UPDATED_OLD"})");
  CHECK(simdjson::minify(old) == R"({"Attributes":{"c":{"M":{"d":{"N":"2"}}}}})");
  // A failed condition gives the item with ReturnValuesOnConditionCheckFailure ALL_OLD.
  auto failed = api.call("DeleteItem", R"({"TableName":"rides",)" + key +
                                           R"(,"ConditionExpression":"c.d = :v","ExpressionAttributeValues":{":v":{"N":"2"}},)"
                                           R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})",
                         400);
  CHECK(str(failed["__type"]) == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException");
  CHECK(str(failed["message"]) == "The conditional request failed");
  CHECK(simdjson::minify(failed["Item"]["c"]) == R"({"M":{"d":{"N":"5"}}})");
  // The key attributes stay.
  CHECK(api.error("UpdateItem", R"({"TableName":"rides",)" + key + R"(,"UpdateExpression":"REMOVE #a","ExpressionAttributeNames":{"#a":"At"}})") ==
        kValidation + "One or more parameter values were invalid: Cannot update attribute At. This attribute is part of the key");
  // A projection of nested paths.
  auto got = api.call("GetItem", R"({"TableName":"rides",)" + key + R"(,"ProjectionExpression":"c.d, l[0], nothing"})");
  CHECK(simdjson::minify(got["Item"]["l"]) == R"({"L":[{"S":"x"}]})");
  CHECK(simdjson::minify(got["Item"]["c"]) == R"({"M":{"d":{"N":"5"}}})");
  CHECK(got["Item"].get_object().value().size() == 2);
}

TEST_CASE("TransactWriteItems is all or nothing, TransactGetItems one snapshot: concurrent transfers keep their sum") {
  Api api;
  api.call("CreateTable", kRides);
  api.call("PutItem", put("acct", 1, R"(,"n":{"N":"100"})"));
  api.call("PutItem", put("acct", 2, R"(,"n":{"N":"0"})"));
  auto update = [](int at, const std::string& expression, const std::string& condition) {
    return R"({"Update":{"TableName":"rides","Key":{"Name":{"S":"acct"},"At":{"N":")" + std::to_string(at) + R"("}},"UpdateExpression":")" +
           expression + R"(","ConditionExpression":")" + condition + R"(","ExpressionAttributeValues":{":one":{"N":"1"}}}})";
  };
  // One from account 1 to account 2, under the condition that account 1 has at least 1: the
  // last transfers find it empty and are cancelled whole.
  const std::string transfer = R"({"TransactItems":[)" + update(1, "SET n = n - :one", "n >= :one") + "," +
                               update(2, "SET n = n + :one", "attribute_exists(n)") + "]}";
  const std::string read = R"({"TransactItems":[{"Get":{"TableName":"rides","Key":{"Name":{"S":"acct"},"At":{"N":"1"}}}},)"
                           R"({"Get":{"TableName":"rides","Key":{"Name":{"S":"acct"},"At":{"N":"2"}}}}]})";
  std::atomic<int> done = 0, cancelled = 0, failures = 0, torn = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      simdjson::dom::parser parser;
      for (int i = 0; i < 15; ++i) {
        std::string answer = api.raw("TransactWriteItems", transfer);
        if (answer == "{}") {
          ++done;
        } else if (answer.find("TransactionCanceledException") != std::string::npos &&
                   answer.find(R"("CancellationReasons":[{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},{"Code":"None"}])") !=
                       std::string::npos) {
          ++cancelled;
        } else {
          ++failures;
        }
        simdjson::dom::element got = parser.parse(api.raw("TransactGetItems", read));
        auto n = [&](std::size_t at) {
          return std::stoi(std::string(got["Responses"].at(at)["Item"]["n"]["N"].get_string().value_unsafe()));
        };
        if (n(0) + n(1) != 100) ++torn;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  CHECK(failures == 0);
  CHECK(torn == 0);
  CHECK(done == 100);  // 8 × 15 = 120 tried, 100 possible
  CHECK(cancelled == 20);
  auto one = api.call("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"acct"},"At":{"N":"1"}}})");
  CHECK(str(one["Item"]["n"]["N"]) == "0");
}

TEST_CASE("TransactWriteItems with a ClientRequestToken is applied once") {
  Api api;
  api.call("CreateTable", kRides);
  auto add = [](const std::string& token, int amount) {
    return R"({"ClientRequestToken":")" + token + R"(","TransactItems":[{"Update":{"TableName":"rides","Key":{"Name":{"S":"t"},"At":{"N":"1"}},)"
                                                  R"("UpdateExpression":"ADD n :v","ExpressionAttributeValues":{":v":{"N":")" +
           std::to_string(amount) + R"("}}}}]})";
  };
  auto n = [&] { return str(api.call("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"t"},"At":{"N":"1"}}})")["Item"]["n"]["N"]); };
  api.call("TransactWriteItems", add("once", 1));
  api.call("TransactWriteItems", add("once", 1));
  CHECK(n() == "1");
  CHECK(api.error("TransactWriteItems", add("once", 2)) == "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException: ");
  api.call("TransactWriteItems", add("twice", 2));
  CHECK(n() == "3");
}

TEST_CASE("BatchWriteItem and BatchGetItem: limits, duplicates, capacity per table") {
  Api api;
  api.call("CreateTable", kRides);
  std::string writes;
  for (int i = 0; i < 26; ++i) writes += std::string(i ? "," : "") + R"({"PutRequest":{"Item":{"Name":{"S":"n)" + std::to_string(i) + R"("},"At":{"N":"1"}}}})";
  CHECK(api.error("BatchWriteItem", R"({"RequestItems":{"rides":[)" + writes + "]}}").starts_with(kValidation));
  CHECK(api.error("BatchWriteItem", R"({"RequestItems":{"rides":[{"DeleteRequest":{"Key":{"Name":{"S":"a"},"At":{"N":"1"}}}},)"
                                    R"({"PutRequest":{"Item":{"Name":{"S":"a"},"At":{"N":"1"}}}}]}})") ==
        kValidation + "Provided list of item keys contains duplicates");
  CHECK(api.raw("BatchWriteItem", R"({"RequestItems":{"rides":[{"PutRequest":{"Item":{"Name":{"S":"a"},"At":{"N":"1"}}}},)"
                                  R"({"DeleteRequest":{"Key":{"Name":{"S":"gone"},"At":{"N":"1"}}}}]},"ReturnConsumedCapacity":"TOTAL"})") ==
        R"({"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"rides","CapacityUnits":3.0}]})");  // 1, and 2 for a missing delete
  CHECK(api.raw("BatchGetItem", R"({"RequestItems":{"rides":{"Keys":[{"Name":{"S":"a"},"At":{"N":"1"}},{"Name":{"S":"b"},"At":{"N":"1"}}]}},"ReturnConsumedCapacity":"TOTAL"})") ==
        R"({"Responses":{"rides":[{"Name":{"S":"a"},"At":{"N":"1"}}]},"UnprocessedKeys":{},"ConsumedCapacity":[{"TableName":"rides","CapacityUnits":0.5}]})");
  CHECK(api.error("BatchGetItem", R"({"RequestItems":{"nope":{"Keys":[{"Name":{"S":"a"},"At":{"N":"1"}}]}}})") == kNoTable);
}

TEST_CASE("UpdateTimeToLive is kv-put's --ttl: items already stored expire by it") {
  Api api;
  api.call("CreateTable", kRides);
  api.call("PutItem", put("old", 1, R"(,"expires":{"N":"1000"})"));  // 1970: expired once TTL is on
  CHECK(api.raw("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"old"},"At":{"N":"1"}}})") != "{}");
  CHECK(api.raw("UpdateTimeToLive", R"({"TableName":"rides","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}})") ==
        R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}})");
  CHECK(api.raw("GetItem", R"({"TableName":"rides","Key":{"Name":{"S":"old"},"At":{"N":"1"}}})") == "{}");
  CHECK(api.raw("DescribeTimeToLive", R"({"TableName":"rides"})") ==
        R"({"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"expires"}})");
  CHECK(api.error("UpdateTimeToLive", R"({"TableName":"rides","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}})") ==
        kValidation + "TimeToLive is already enabled");
  CHECK(api.error("UpdateTimeToLive", R"({"TableName":"rides","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"other"}})") ==
        kValidation + "TimeToLive is active on a different AttributeName");
  store::ReadTxn reader(api.env());
  CHECK(store::find_table(reader.renew(), "rides")->ttl == "expires");
}

TEST_CASE("tags of a table, named by its ARN") {
  Api api;
  api.call("CreateTable", kRides);
  const std::string arn = R"("ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/rides")";
  CHECK(api.raw("TagResource", "{" + arn + R"(,"Tags":[{"Key":"team","Value":"data"},{"Key":"env","Value":"test"}]})") == "");
  CHECK(api.raw("UntagResource", "{" + arn + R"(,"TagKeys":["env"]})") == "");
  CHECK(api.raw("ListTagsOfResource", "{" + arn + "}") == R"({"Tags":[{"Key":"team","Value":"data"}]})");
  CHECK(api.error("TagResource", "{" + arn + R"(,"Tags":[]})") == kValidation + "Atleast one Tag needs to be provided as Input.");
  CHECK(api.error("ListTagsOfResource", R"({"ResourceArn":"rides"})") == kValidation + "Invalid TableArn: Invalid ResourceArn provided as input rides");
  CHECK(api.error("ListTagsOfResource", R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/nope"})") ==
        "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException: Requested resource not found: ResourcArn: "
        "arn:aws:dynamodb:us-east-1:000000000000:table/nope not found");
}

TEST_CASE("UpdateTable keeps billing and throughput as metadata") {
  Api api;
  api.call("CreateTable", kRides);
  CHECK(api.error("UpdateTable", R"({"TableName":"rides"})") == kValidation + "Nothing to update");
  CHECK(api.error("UpdateTable", R"({"TableName":"rides","BillingMode":"PROVISIONED"})") == kValidation + "No provisioned throughput specified for the table");
  auto table = api.call("UpdateTable", R"({"TableName":"rides","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":5}})")
                   ["TableDescription"];
  CHECK(table["ProvisionedThroughput"]["ReadCapacityUnits"].get_int64().value() == 3);
  CHECK(str(table["BillingModeSummary"]["BillingMode"]) == "PROVISIONED");
  CHECK(api.error("UpdateTable", R"({"TableName":"rides","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":5}})") ==
        kValidation + "The requested throughput value equals the current value");
  api.call("UpdateTable", R"({"TableName":"rides","DeletionProtectionEnabled":true})");
  CHECK(api.error("DeleteTable", R"({"TableName":"rides"})") ==
        kValidation + "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
}
