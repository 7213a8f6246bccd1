#include "stream/put_parser.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "stream/formats.h"

using namespace millrace;
using namespace millrace::stream;

namespace {

constexpr std::size_t kMiB = 1 << 20;

struct Parsed {
  std::optional<std::string> error;
  Batch batch;
  // Views into batch, valid while it lives.
  std::vector<store::Put> puts() const {
    std::vector<store::Put> out;
    batch.append_puts(out);
    return out;
  }
};

// Parses one line, followed by kPadding bytes as the reader gives it.
Parsed parse(PutParser& parser, std::string_view text, bool too_long = false) {
  std::string storage(text);
  storage.append(lines::kPadding, '\0');
  Parsed out;
  out.error = parser.parse(lines::Line{{storage.data(), text.size()}, "test", 1, too_long}, out.batch);
  return out;
}

PutParser with_key_field(std::string field) {
  PutOptions options;
  options.key_field = lines::Field(std::move(field));
  return PutParser(options);
}

store::HashKey md5(std::string_view key) {
  store::Md5 hash;
  return hash(key);
}

std::string repeat(std::string_view text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

}  // namespace

TEST_CASE("-k takes the partition key from a field, by name or JSON pointer") {
  PutParser parser = with_key_field("user");
  std::string line = R"({"user":"alice","n":1})";
  Parsed p = parse(parser, line);
  REQUIRE_FALSE(p.error);
  REQUIRE(p.puts().size() == 1);
  CHECK(p.puts()[0].partition_key == "alice");
  CHECK(p.puts()[0].data == line);
  CHECK(p.puts()[0].json);
  CHECK(p.puts()[0].hash == md5("alice"));
  CHECK(parse(parser, R"({"user":42})").puts().at(0).partition_key == "42");
  CHECK(parse(parser, R"({"user":true})").puts().at(0).partition_key == "true");

  PutParser pointer = with_key_field("/a/b");
  CHECK(parse(pointer, R"({"a":{"b":"deep"}})").puts().at(0).partition_key == "deep");
}

TEST_CASE("-k refuses a line whose key field is missing, not a scalar, or empty") {
  PutParser parser = with_key_field("user");
  for (std::string_view line : {R"({"other":1})", R"({"user":{"id":1}})", R"({"user":[1]})", R"({"user":""})"}) {
    CAPTURE(line);
    Parsed p = parse(parser, line);
    CHECK(p.error);
    CHECK(p.batch.empty());
  }
  CHECK(parse(parser, R"({"other":1})").error->find("user") != std::string::npos);
}

TEST_CASE("--partition-key gives every record the same key") {
  PutOptions options;
  options.partition_key = "fixed";
  PutParser parser(options);
  for (std::string_view line : {"1", R"({"user":"alice"})"}) {
    Parsed p = parse(parser, line);
    REQUIRE_FALSE(p.error);
    CHECK(p.puts().at(0).partition_key == "fixed");
    CHECK(p.puts().at(0).hash == md5("fixed"));
  }
}

TEST_CASE("without a key each record gets its own random key") {
  PutParser parser{PutOptions{}};
  std::set<std::string> keys;
  std::set<store::HashKey> hashes;
  for (int i = 0; i < 200; ++i) {
    Parsed p = parse(parser, R"({"same":"line"})");
    REQUIRE_FALSE(p.error);
    std::string key(p.puts().at(0).partition_key);
    CHECK_FALSE(key.empty());
    CHECK(p.puts().at(0).hash == md5(key));
    keys.insert(key);
    hashes.insert(p.puts().at(0).hash);
  }
  CHECK(keys.size() == 200);
  CHECK(hashes.size() == 200);
}

TEST_CASE("an explicit hash key routes the record, whatever its partition key") {
  PutOptions options;
  options.partition_key = "p";
  options.explicit_hash_key = store::HashKey{12345};
  PutParser parser(options);
  Parsed p = parse(parser, R"({"a":1})");
  REQUIRE_FALSE(p.error);
  CHECK(p.puts().at(0).partition_key == "p");
  CHECK(p.puts().at(0).hash == store::HashKey{12345});
}

TEST_CASE("partition keys are 1 to 256 characters, counted in UTF-8 characters") {
  PutParser parser = with_key_field("k");
  auto key_line = [](const std::string& key) { return R"({"k":")" + key + R"("})"; };
  CHECK_FALSE(parse(parser, key_line(std::string(256, 'a'))).error);
  CHECK(parse(parser, key_line(std::string(257, 'a'))).error);
  Parsed accents = parse(parser, key_line(repeat("é", 256)));  // 512 bytes, 256 characters
  REQUIRE_FALSE(accents.error);
  CHECK(accents.puts().at(0).partition_key == repeat("é", 256));
  CHECK(parse(parser, key_line(repeat("é", 257))).error);
  CHECK_FALSE(parse(parser, key_line(repeat("😀", 256))).error);  // 4 bytes each

  PutOptions fixed;
  fixed.partition_key = std::string(257, 'a');
  PutParser too_long(fixed);
  CHECK(parse(too_long, "1").error);
}

TEST_CASE("a record of exactly 1 MiB is accepted, one byte more is refused") {
  PutParser parser{PutOptions{}};
  CHECK(max_line_length(InputFormat::data) == kMiB);
  std::string line = "\"" + std::string(kMiB - 2, 'x') + "\"";
  Parsed p = parse(parser, line);
  REQUIRE_FALSE(p.error);
  CHECK(p.puts().at(0).data.size() == kMiB);
  CHECK(parse(parser, "\"" + std::string(kMiB - 1, 'x') + "\"").error);
  // What the reader cut off at the limit is refused as too long.
  Parsed cut = parse(parser, std::string(kMiB, 'x'), true);
  CHECK(cut.error);
  CHECK(cut.batch.empty());
}

TEST_CASE("an envelope carries 1 MiB of data even when every byte is escaped") {
  PutOptions options;
  options.format = InputFormat::envelope;
  options.raw = true;
  PutParser parser(options);
  std::string escaped = repeat("\\u0001", kMiB);
  std::string line = R"({"pk":"k","data":")" + escaped + R"("})";
  CHECK(line.size() <= max_line_length(InputFormat::envelope));
  Parsed p = parse(parser, line);
  REQUIRE_FALSE(p.error);
  CHECK(p.puts().at(0).data == std::string(kMiB, '\x01'));
  CHECK_FALSE(p.puts().at(0).json);
  CHECK(parse(parser, R"({"pk":"k","data":")" + escaped + R"(x"})").error);  // 1 MiB + 1
}

TEST_CASE("a line that is not JSON is refused, unless raw stores it as it is") {
  PutParser strict{PutOptions{}};
  Parsed refused = parse(strict, "hello world");
  REQUIRE(refused.error);
  CHECK(refused.error->starts_with("invalid JSON: "));
  CHECK(refused.batch.empty());

  PutOptions options;
  options.raw = true;
  PutParser raw(options);
  Parsed kept = parse(raw, "hello world");
  REQUIRE_FALSE(kept.error);
  CHECK(kept.puts().at(0).data == "hello world");
  CHECK_FALSE(kept.puts().at(0).json);
  Parsed json = parse(raw, R"({"a":1})");
  CHECK(json.puts().at(0).json);

  options.key_field = lines::Field("a");  // a field cannot be found in a line that is not JSON
  PutParser raw_keyed(options);
  CHECK(parse(raw_keyed, "hello world").error);
  CHECK(parse(raw_keyed, R"({"a":"k"})").puts().at(0).partition_key == "k");
}

TEST_CASE("an envelope's data comes back byte for byte") {
  PutOptions options;
  options.format = InputFormat::envelope;
  PutParser parser(options);
  struct Case {
    std::string_view line, data;
  };
  for (Case c : {
           Case{R"({"stream":"s","pk":"k1","data":{"a" : [1, 2] ,	"b":"x"}})", R"({"a" : [1, 2] ,	"b":"x"})"},
           Case{R"({"data":[ 1 , {"x":2} ],"pk":"k1"})", R"([ 1 , {"x":2} ])"},
           Case{R"({"pk":"k1","data": 1.50e3 })", "1.50e3"},
           Case{R"({"pk":"k1","data":-0,"ts":"x"})", "-0"},
           Case{R"({"pk":"k1","data":true})", "true"},
           Case{R"({"pk":"k1","data":{"n":18446744073709551616,"s":"\u00e9"}})",
                R"({"n":18446744073709551616,"s":"\u00e9"})"},
       }) {
    CAPTURE(c.line);
    Parsed p = parse(parser, c.line);
    REQUIRE_FALSE(p.error);
    CHECK(p.puts().at(0).partition_key == "k1");
    CHECK(p.puts().at(0).data == c.data);
    CHECK(p.puts().at(0).json);
    CHECK(p.puts().at(0).hash == md5("k1"));
  }
}

TEST_CASE("whitespace after an envelope's object or array data is not part of the record") {
  // As for numbers above: the record is the value's bytes, from its first to its last.
  PutOptions options;
  options.format = InputFormat::envelope;
  PutParser parser(options);
  Parsed array = parse(parser, R"({"data":[ 1 , {"x":2} ] ,"pk":"k1"})");
  REQUIRE_FALSE(array.error);
  CHECK(array.puts().at(0).data == R"([ 1 , {"x":2} ])");
  Parsed object = parse(parser, "{\"pk\":\"k1\",\"data\": {\"a\" : 1}\t }");
  REQUIRE_FALSE(object.error);
  CHECK(object.puts().at(0).data == R"({"a" : 1})");
}

TEST_CASE("an envelope whose data is a string holds a record that is not JSON, which needs raw") {
  std::string line = R"({"pk":"k","data":"say \"hi\"\n"})";
  PutOptions options;
  options.format = InputFormat::envelope;
  PutParser strict(options);
  CHECK(parse(strict, line).error);
  options.raw = true;
  PutParser raw(options);
  Parsed p = parse(raw, line);
  REQUIRE_FALSE(p.error);
  CHECK(p.puts().at(0).data == "say \"hi\"\n");
  CHECK_FALSE(p.puts().at(0).json);
}

TEST_CASE("an envelope without pk or data, or with a pk that is not a string, is refused") {
  PutOptions options;
  options.format = InputFormat::envelope;
  options.raw = true;
  PutParser parser(options);
  for (std::string_view line : {R"({"data":1})", R"({"pk":"k"})", R"({"pk":7,"data":1})", R"([1])", "not json",
                                R"({"pk":"","data":1})"}) {
    CAPTURE(line);
    CHECK(parse(parser, line).error);
  }
}

TEST_CASE("an envelope printed by append_envelope is taken back as the same record") {
  PutOptions options;
  options.format = InputFormat::envelope;
  options.raw = true;
  PutParser parser(options);
  for (bool json : {true, false}) {
    std::string data = json ? R"({"x" : [1, 2.50]})" : "tab\there \"quoted\" \x01";
    store::Record record{{3, 42}, 1795428000123, "key \"é\"", data, json};
    std::string envelope;
    append_envelope(envelope, record, Source{"rides", std::string("g")});
    envelope.pop_back();  // the newline
    Parsed p = parse(parser, envelope);
    REQUIRE_FALSE(p.error);
    CHECK(p.puts().at(0).partition_key == "key \"é\"");
    CHECK(p.puts().at(0).data == data);
    CHECK(p.puts().at(0).json == json);
  }
}

TEST_CASE("a batch keeps its records in order until cleared") {
  Batch batch;
  batch.add(1, "a", "one", true);
  batch.add(2, "bb", "two", false);
  CHECK(batch.size() == 2);
  CHECK(batch.bytes() == 1 + 3 + 2 + 3);
  std::vector<store::Put> puts;
  batch.append_puts(puts);
  REQUIRE(puts.size() == 2);
  CHECK(puts[1].hash == 2);
  CHECK(puts[1].partition_key == "bb");
  CHECK(puts[1].data == "two");
  CHECK_FALSE(puts[1].json);
  batch.clear();
  CHECK(batch.empty());
}
