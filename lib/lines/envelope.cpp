#include "lines/envelope.h"

#include "lines/json.h"
#include "lines/reader.h"

namespace millrace::lines {
namespace {

using simdjson::ondemand::json_type;

// The JSON text of `value` as written: simdjson's raw spans run to the next token, so the
// trailing whitespace is cut.
simdjson::error_code raw_text(simdjson::ondemand::value value, std::string_view& out) {
  json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type == json_type::object) {
    simdjson::ondemand::object object;
    if (auto error = value.get_object().get(object)) return error;
    if (auto error = object.raw_json().get(out)) return error;
  } else if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (auto error = value.get_array().get(array)) return error;
    if (auto error = array.raw_json().get(out)) return error;
  } else {
    out = value.raw_json_token();
  }
  out = trim_right(out);
  return simdjson::SUCCESS;
}

}  // namespace

std::optional<std::string> EnvelopeReader::read(std::string_view text, Envelope& out) {
  out = Envelope{};
  simdjson::ondemand::document doc;
  simdjson::ondemand::object envelope;
  if (parser_.iterate(text.data(), text.size(), text.size() + kPadding).get(doc) || doc.get_object().get(envelope))
    return std::string("envelope is not a JSON object");
  bool has_data = false;
  for (auto field : envelope) {
    std::string_view name;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(name) || field.value().get(value)) return std::string("bad envelope");
    std::string_view* text_field = name == "stream" ? &out.stream
                                   : name == "group" ? &out.group
                                   : name == "shard" ? &out.shard
                                   : name == "seq"   ? &out.seq
                                   : name == "pk"    ? &out.pk
                                   : name == "ts"    ? &out.ts
                                                     : nullptr;
    if (text_field != nullptr) {
      if (value.get_string().get(*text_field)) return "envelope \"" + std::string(name) + "\" is not a string";
    } else if (name == "data") {
      has_data = true;
      json_type type;
      if (value.type().get(type)) return std::string("bad envelope \"data\"");
      out.json = type != json_type::string;
      auto error = out.json ? raw_text(value, out.data) : value.get_string().get(out.data);
      if (error) return std::string("bad envelope \"data\"");
    }
  }
  if (!has_data) return std::string("envelope has no \"data\"");
  return std::nullopt;
}

}  // namespace millrace::lines
