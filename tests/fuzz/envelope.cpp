// Envelopes (`--format envelope` input of ks-put, kv-put and fh-archive): lines::EnvelopeReader
// on every line of the input that validates as JSON, as the programs call it.
//
// Checks, against the same line parsed whole by simdjson's DOM: an envelope is refused exactly
// when it is not an object, when a named field (stream, group, shard, seq, pk, ts) is not a
// string, the first such in order being named, or when it has no "data"; otherwise each field
// is the string of its last occurrence, and "data" is either that string (json false) or a
// text of the line that is valid JSON of the same document.
#include <optional>
#include <string>

#include "fuzz.h"
#include "lines/envelope.h"
#include "lines/json.h"

using namespace millrace;
using fuzz::require;

namespace {

constexpr std::string_view kTextFields[] = {"stream", "group", "shard", "seq", "pk", "ts"};

std::string_view* text_field(lines::Envelope& envelope, std::string_view name) {
  if (name == "stream") return &envelope.stream;
  if (name == "group") return &envelope.group;
  if (name == "shard") return &envelope.shard;
  if (name == "seq") return &envelope.seq;
  if (name == "pk") return &envelope.pk;
  if (name == "ts") return &envelope.ts;
  return nullptr;
}

// What EnvelopeReader::read must say of the document `root`, and the envelope it must give.
std::optional<std::string> expected(simdjson::dom::element root, lines::Envelope& want,
                                    std::optional<simdjson::dom::element>& data) {
  simdjson::dom::object object;
  if (root.get_object().get(object)) return std::string("envelope is not a JSON object");
  for (auto [key, value] : object) {
    if (std::string_view* field = text_field(want, key)) {
      if (!value.is_string()) return "envelope \"" + std::string(key) + "\" is not a string";
      *field = value.get_string().value_unsafe();
    } else if (key == "data") {
      data = value;
    }
  }
  if (!data) return std::string("envelope has no \"data\"");
  return std::nullopt;
}

void check_line(std::string_view line) {
  static lines::Validator validator, data_validator;
  static lines::EnvelopeReader reader;
  fuzz::Padded padded(line);
  std::string_view text = padded.view();
  if (validator.parse(text) != simdjson::SUCCESS) return;  // the programs refuse it before
  lines::Envelope got;
  std::optional<std::string> problem = reader.read(text, got);
  simdjson::dom::element root;
  if (!validator.root(root)) return;  // integers beyond 64 bits: no DOM to compare with
  lines::Envelope want;
  std::optional<simdjson::dom::element> data;
  std::optional<std::string> want_problem = expected(root, want, data);
  require(problem == want_problem, "an envelope is judged otherwise than its document says");
  if (problem) return;
  for (std::string_view name : kTextFields)
    require(*text_field(got, name) == *text_field(want, name), "an envelope field differs from its document's");
  require(got.json == !data->is_string(), "envelope data is taken as JSON wrongly");
  if (!got.json) {
    require(got.data == data->get_string().value_unsafe(), "envelope data string differs from its document's");
    return;
  }
  require(got.data.data() >= text.data() && got.data.data() + got.data.size() <= text.data() + text.size(),
          "envelope data is not a text of the line");
  fuzz::Padded data_text(got.data);
  require(data_validator.parse(data_text.view()) == simdjson::SUCCESS, "envelope data is not valid JSON");
  simdjson::dom::element parsed;
  require(data_validator.root(parsed), "envelope data has no DOM though the line has");
  require(simdjson::minify(parsed) == simdjson::minify(*data), "envelope data is another document");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (std::string_view line : fuzz::split_lines(fuzz::as_text(data, size))) check_line(line);
  return 0;
}
