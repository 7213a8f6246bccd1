#include "lines/json.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "lines/reader.h"

using namespace millrace::lines;

namespace {

// A line as the reader hands it over: followed by kPadding readable bytes.
class Padded {
 public:
  explicit Padded(std::string_view text) : storage_(text), size_(text.size()) { storage_.append(kPadding, '\0'); }
  std::string_view text() const { return {storage_.data(), size_}; }

 private:
  std::string storage_;
  std::size_t size_;
};

simdjson::error_code validate(Validator& validator, const Padded& line) { return validator.parse(line.text()); }

bool valid(std::string_view text) {
  Validator validator;
  Padded line(text);
  return validate(validator, line) == simdjson::SUCCESS;
}

struct Text {
  FieldText::Status status;
  std::string text;
};

// The field's status and text after parsing `line` (which stays alive for the call).
Text field(Validator& validator, std::string_view spec) {
  std::string scratch;
  FieldText got = validator.field_text(Field(std::string(spec)), scratch);
  return {got.status, std::string(got.text)};
}

using Status = FieldText::Status;

const std::vector<std::string_view> kValidLines = {
    R"({"a":1})",
    R"([1,2,{"b":null},"x",true,false])",
    R"("just a string")",
    "42",
    "-0.5e-3",
    R"(  {"a" : [ ] , "b" : { } }  )",
    R"({"s":"\u00e9\n\"\\\/"})",
    "18446744073709551616",
    "-123456789012345678901234567890e5",
    R"({"n":18446744073709551616})",
    R"({"n":-123456789012345678901234567890e5,"s":"x"})",
    R"([18446744073709551616, 1.5e300, {"deep":[99999999999999999999999]}])",
};

const std::vector<std::string_view> kInvalidLines = {
    "",
    R"({"a":1} x)",
    R"({"a":1}{})",
    "01",
    R"({"a":01})",
    "1.",
    R"({"a":1.})",
    ".5",
    "+1",
    "1e",
    "-",
    R"({"a":1)",
    R"({"a":{"b":2})",
    "[1,]",
    "{a:1}",
    R"({"a":"\q"})",
    R"({"a":"\u12"})",
    "nul",
    // The same faults in lines that the on-demand path validates (an integer beyond 64 bits).
    R"({"n":18446744073709551616} x)",
    R"({"n":18446744073709551616,"m":01})",
    R"({"n":18446744073709551616,"m":1.})",
    R"({"n":18446744073709551616,"s":"\q"})",
    R"({"n":18446744073709551616)",
    R"([18446744073709551616,])",
    "18446744073709551616 x",
    "018446744073709551616",
};

// What parsing a line gives: the error, whether it has a DOM, and the DOM as minified JSON.
struct Outcome {
  simdjson::error_code error;
  bool has_dom;
  std::string json;
  bool operator==(const Outcome&) const = default;
};

Outcome outcome(Validator& validator, std::string_view text) {
  Outcome got{validator.parse(text), false, {}};
  simdjson::dom::element root;
  got.has_dom = validator.root(root);
  if (got.error == simdjson::SUCCESS && got.has_dom) got.json = simdjson::minify(root);
  return got;
}

Outcome alone(std::string_view text) {
  Validator validator;
  Padded line(text);
  return outcome(validator, line.text());
}

// `lines` one after the other, each followed by `separator`, and kPadding bytes after them all;
// `starts` gets where each line starts.
std::string block_of(const std::vector<std::string_view>& lines, std::string_view separator,
                     std::vector<std::size_t>& starts) {
  std::string block;
  for (std::string_view line : lines) {
    starts.push_back(block.size());
    block.append(line).append(separator);
  }
  block.append(kPadding, '\0');
  return block;
}

}  // namespace

TEST_CASE("valid JSON lines are accepted, integers beyond 64 bits included") {
  for (std::string_view text : kValidLines) {
    CAPTURE(text);
    CHECK(valid(text));
  }
}

TEST_CASE("invalid JSON lines are refused") {
  for (std::string_view text : kInvalidLines) {
    CAPTURE(text);
    CHECK_FALSE(valid(text));
  }
}

TEST_CASE("lines parsed as one block each get what they get alone, whatever comes before and after") {
  // Besides every valid and invalid line above: lines that end a block's stream in other ways
  // (a document over two lines, a string left open, bytes that are not UTF-8, whitespace
  // around a document, a nesting too deep).
  std::vector<std::string_view> pool = kValidLines;
  pool.insert(pool.end(), kInvalidLines.begin(), kInvalidLines.end());
  std::string too_deep = std::string(kMaxDepth + 1, '[') + std::string(kMaxDepth + 1, ']');
  for (std::string_view extra : std::initializer_list<std::string_view>{R"({"a":[1,)", R"(2]})", R"({"s":"open})", "{\"s\":\"\xc3\"}", "  {\"a\":1}",
                                 "{\"a\":1}  \t", R"({"b":{"c":[true,null]}})", "{}", "[]", "\"x\"",
                                 std::string_view(too_deep)})
    pool.push_back(extra);
  auto check_block = [](const std::vector<std::string_view>& lines, std::string_view separator) {
    std::vector<std::size_t> starts;
    std::string block = block_of(lines, separator, starts);
    Validator validator;
    validator.begin_block({block.data(), starts.back() + lines.back().size()});
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(i);
      CAPTURE(lines[i]);
      CHECK(outcome(validator, {block.data() + starts[i], lines[i].size()}) == alone(lines[i]));
    }
  };
  check_block(pool, "\n");  // each once
  std::mt19937 random(20261123);
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    // Mostly good lines, as data is, and a bad one now and then.
    std::vector<std::string_view> lines;
    std::size_t count = std::uniform_int_distribution<std::size_t>(1, 40)(random);
    for (std::size_t i = 0; i < count; ++i) {
      bool good = std::uniform_int_distribution<int>(0, 3)(random) != 0;
      lines.push_back(good ? R"({"Name":"Sunny Mane","Distance":24.02,"HealthPoints":132})"
                           : pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(random)]);
    }
    check_block(lines, round % 2 == 0 ? "\n" : "\r\n");  // the reader leaves out a \r before \n
  }
}

TEST_CASE("a line of a block left unparsed, or a new block, does not shift the lines after it") {
  std::vector<std::string_view> lines = {R"({"a":1})", R"({"b":2})", R"({"c":3})", R"({"d":4})"};
  std::vector<std::size_t> starts;
  std::string block = block_of(lines, "\n", starts);
  auto line = [&](std::size_t i) { return std::string_view(block.data() + starts[i], lines[i].size()); };
  Validator validator;
  validator.begin_block({block.data(), starts.back() + lines.back().size()});
  CHECK(outcome(validator, line(0)).json == R"({"a":1})");
  CHECK(outcome(validator, line(2)).json == R"({"c":3})");  // line 1 skipped
  CHECK(outcome(validator, line(3)).json == R"({"d":4})");
  // A block announced before the last one is done replaces it.
  validator.begin_block({block.data(), starts.back() + lines.back().size()});
  CHECK(outcome(validator, line(0)).json == R"({"a":1})");
  validator.begin_block({block.data() + starts[2], starts.back() + lines.back().size() - starts[2]});
  CHECK(outcome(validator, line(2)).json == R"({"c":3})");
  CHECK(outcome(validator, line(3)).json == R"({"d":4})");
  // A line outside the block is parsed alone.
  Padded other(R"({"e":5})");
  CHECK(outcome(validator, other.text()).json == R"({"e":5})");
}

TEST_CASE("a block is parsed on the caller's thread, even when it holds a byte that is not UTF-8") {
  // A thread of simdjson's would go on reading the block after the caller is done with it,
  // while the reader reuses or frees its buffer.
  auto threads = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/task"), std::filesystem::directory_iterator());
  };
  Padded block("{\"a\":1}\n\xff\n");
  Validator validator;
  auto before = threads();
  validator.begin_block(block.text());
  CHECK(threads() == before);
  CHECK(outcome(validator, {block.text().data(), 7}).json == R"({"a":1})");
}

TEST_CASE("nesting deeper than kMaxDepth is refused as too deep") {
  Validator validator;
  Padded shallow(std::string(kMaxDepth / 2, '[') + std::string(kMaxDepth / 2, ']'));
  CHECK(validate(validator, shallow) == simdjson::SUCCESS);
  Padded deep(std::string(kMaxDepth + 10, '[') + std::string(kMaxDepth + 10, ']'));
  CHECK(validate(validator, deep) == simdjson::DEPTH_ERROR);
}

TEST_CASE("a field is named or given as a JSON pointer") {
  CHECK(Field("name").pointer() == "/name");
  CHECK(Field("/user/id").pointer() == "/user/id");
  CHECK(Field("a/b").pointer() == "/a~1b");
  CHECK(Field("t~x").pointer() == "/t~0x");
  CHECK(Field("a/b").spec() == "a/b");

  Validator validator;
  Padded line(R"({"name":"Shadowfax","user":{"id":"u7"},"a/b":"slash","t~x":"tilde"})");
  REQUIRE(validate(validator, line) == simdjson::SUCCESS);
  CHECK(field(validator, "name").text == "Shadowfax");
  CHECK(field(validator, "/user/id").text == "u7");
  CHECK(field(validator, "a/b").text == "slash");
  CHECK(field(validator, "/a~1b").text == "slash");
  CHECK(field(validator, "t~x").text == "tilde");
  CHECK(field(validator, "nope").status == Status::missing);
  CHECK(field(validator, "/user/nope").status == Status::missing);
  CHECK(field(validator, "user/id").status == Status::missing);  // a name, not a pointer
}

TEST_CASE("a FieldSet finds names in one pass and pointers one by one, the first of duplicate keys") {
  std::vector<Field> fields = {Field("Distance"), Field("Latitude"), Field("/user/id"), Field("n"),
                            Field("Distance"), Field("absent"), Field("a long name of thirty-two bytes")};
  FieldSet set(fields);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string json = R"({"Latitude":1,"n":"x","Distance":2,"n":"second","user":{"id":3},)"
                  R"("a long name of thirty-two bytez":5,"a long name of thirty-two bytes":6})";
  REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
  std::vector<std::optional<simdjson::dom::element>> values;
  set.find_all(root, values);
  REQUIRE(values.size() == fields.size());
  auto int_at = [&](std::size_t i) { return values[i] ? values[i]->get_int64().value_unsafe() : -1; };
  CHECK(int_at(0) == 2);   // Distance: as long as Latitude, told apart
  CHECK(int_at(1) == 1);
  CHECK(int_at(2) == 3);   // a pointer
  REQUIRE(values[3]);
  CHECK(values[3]->get_string().value_unsafe() == "x");  // the first n
  CHECK(int_at(4) == 2);   // one name asked for twice
  CHECK_FALSE(values[5]);
  CHECK(int_at(6) == 6);   // past 16 bytes, and one byte apart from another key
  std::string array = "[1]";
  REQUIRE(parser.parse(array).get(root) == simdjson::SUCCESS);
  set.find_all(root, values);
  for (const auto& value : values) CHECK_FALSE(value);
}

TEST_CASE("field text of strings, numbers and booleans; objects, arrays and null are not scalars") {
  Validator validator;
  Padded line(R"({"s":"x\"y","i":42,"neg":-3,"f":1.5,"u":18446744073709551615,"t":true,"b":false,)"
           R"("n":null,"o":{"k":1},"a":[1]})");
  REQUIRE(validate(validator, line) == simdjson::SUCCESS);
  CHECK(field(validator, "s").text == "x\"y");
  CHECK(field(validator, "i").text == "42");
  CHECK(field(validator, "neg").text == "-3");
  CHECK(field(validator, "f").text == "1.5");
  CHECK(field(validator, "u").text == "18446744073709551615");
  CHECK(field(validator, "t").text == "true");
  CHECK(field(validator, "b").text == "false");
  CHECK(field(validator, "s").status == Status::ok);
  CHECK(field(validator, "n").status == Status::not_scalar);
  CHECK(field(validator, "o").status == Status::not_scalar);
  CHECK(field(validator, "a").status == Status::not_scalar);
  CHECK(field(validator, "missing").status == Status::missing);
}

TEST_CASE("fields of a line with an integer beyond 64 bits are read all the same") {
  Validator validator;
  Padded line(R"({"big":18446744073709551616,"name":"x\"y","n":42,"f":1.5,"t":true,)"
           R"("o":{"k":"v"},"a/b":"s","neg":-123456789012345678901234567890e5})");
  REQUIRE(validate(validator, line) == simdjson::SUCCESS);
  CHECK(field(validator, "big").text == "18446744073709551616");
  CHECK(field(validator, "neg").text == "-123456789012345678901234567890e5");
  CHECK(field(validator, "name").text == "x\"y");
  CHECK(field(validator, "n").text == "42");
  CHECK(field(validator, "f").text == "1.5");
  CHECK(field(validator, "t").text == "true");
  CHECK(field(validator, "/o/k").text == "v");
  CHECK(field(validator, "a/b").text == "s");
  CHECK(field(validator, "o").status == Status::not_scalar);
  CHECK(field(validator, "missing").status == Status::missing);

  // The next line is an ordinary one again: its fields, not the previous line's.
  Padded next(R"({"name":"second"})");
  REQUIRE(validate(validator, next) == simdjson::SUCCESS);
  CHECK(field(validator, "name").text == "second");
  CHECK(field(validator, "big").status == Status::missing);
}

TEST_CASE("append_json_string escapes quotes, backslashes and control characters, and keeps UTF-8") {
  auto quoted = [](std::string_view text) {
    std::string out = "prefix:";
    append_json_string(out, text);
    return out;
  };
  CHECK(quoted("") == "prefix:\"\"");
  CHECK(quoted("plain") == "prefix:\"plain\"");
  CHECK(quoted("a\"b\\c") == R"(prefix:"a\"b\\c")");
  CHECK(quoted("\x01") == R"(prefix:"\u0001")");
  CHECK(quoted("\x1f|\x7f") == "prefix:\"\\u001f|\x7f\"");
  CHECK(quoted(std::string_view("\0", 1)) == R"(prefix:"\u0000")");
  CHECK(quoted("\n\t\r\b\f") == R"(prefix:"\n\t\r\b\f")");
  CHECK(quoted("é ünï 😀 /") == "prefix:\"é ünï 😀 /\"");
}

TEST_CASE("a string escaped by append_json_string reads back as itself") {
  std::string original;
  for (int c = 0; c < 128; ++c) original.push_back(static_cast<char>(c));
  original += "é😀";
  std::string line = R"({"k":)";
  append_json_string(line, original);
  line += "}";
  Validator validator;
  Padded padded(line);
  REQUIRE(validate(validator, padded) == simdjson::SUCCESS);
  CHECK(field(validator, "k").text == original);
}

TEST_CASE("append_json_text keeps UTF-8 and makes each byte that begins no valid sequence U+FFFD") {
  auto text = [](std::string_view bytes) {
    std::string out;
    append_json_text(out, bytes);
    return out;
  };
  const std::string r = "\xef\xbf\xbd";  // U+FFFD in UTF-8
  CHECK(text("a\"b \xc3\xa9 \xf0\x9f\x98\x80") == "\"a\\\"b \xc3\xa9 \xf0\x9f\x98\x80\"");
  CHECK(text("caf\xe9") == "\"caf" + r + "\"");                          // Latin-1, not UTF-8
  CHECK(text("\xc0\x80") == "\"" + r + r + "\"");                          // an overlong NUL
  CHECK(text("\xed\xa0\x80x") == "\"" + r + r + r + "x\"");                 // a surrogate
  CHECK(text("\xf4\x90\x80\x80") == "\"" + r + r + r + r + "\"");            // beyond U+10FFFF
  CHECK(text("\xe2\x82\xac\xe2\x82") == "\"\xe2\x82\xac" + r + r + "\"");    // a sequence cut short
  CHECK(text("\x80\n\xff") == "\"" + r + "\\n" + r + "\"");
}

TEST_CASE("describe says invalid JSON and the reason in lower case") {
  CHECK(describe(simdjson::EMPTY) == "invalid JSON: empty line");
  CHECK(describe(simdjson::DEPTH_ERROR) == "invalid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
  for (auto error : {simdjson::TAPE_ERROR, simdjson::NUMBER_ERROR, simdjson::STRING_ERROR, simdjson::TRAILING_CONTENT,
                  simdjson::UNCLOSED_STRING}) {
    std::string text = describe(error);
    CAPTURE(text);
    REQUIRE(text.size() > 14);
    CHECK(text.starts_with("invalid JSON: "));
    CHECK(std::islower(static_cast<unsigned char>(text[14])));
    CHECK(text.back() != '.');
  }
  // What a caller gets for a bad line.
  Validator validator;
  Padded bad(R"({"a":01})");
  std::string text = describe(validate(validator, bad));
  CHECK(text.starts_with("invalid JSON: "));
}
