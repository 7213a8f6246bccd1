#include "aws/query_protocol.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "aws/text.h"
#include "lines/json.h"
#include "lines/time.h"
#include "lines/xml.h"

namespace millrace::aws {
namespace {

using model::Type;

// The form's values by decoded name, sorted, so that the members under a prefix are a range.
using Form = std::map<std::string, std::string, std::less<>>;

// A form's name or value: '+' is a space (application/x-www-form-urlencoded), then %XY.
std::string form_decode(std::string_view text) {
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return percent_decode(spaced);
}

bool has_prefix(const Form& form, const std::string& prefix) {
  auto it = form.lower_bound(prefix);
  return it != form.end() && it->first.starts_with(prefix);
}

// The JSON number of a form's number, or nothing when the text is not one: written anew from
// its value, as the form's text may be no JSON number ("05", "1.", "inf").
std::optional<std::string> json_number(std::string_view text, bool integer) {
  if (text.empty()) return std::nullopt;
  const char* end = text.data() + text.size();
  if (integer) {
    long long whole;
    auto [at, ec] = std::from_chars(text.data(), end, whole);
    if (ec != std::errc{} || at != end) return std::nullopt;
    return fmt::format("{}", whole);
  }
  double value;
  auto [at, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || at != end || !std::isfinite(value)) return std::nullopt;
  return fmt::format("{}", value);
}

// Writes the JSON of the member `name` of shape `index` from the form, when the form has it;
// false when it does not.
class Decoder {
 public:
  Decoder(const model::Service& service, const Form& form) : service_(service), form_(form) {}

  std::optional<ApiError> error;

  bool value(std::uint16_t index, const std::string& name, std::string& out) {
    const model::Shape& shape = service_.shape(index);
    switch (shape.type) {
      case Type::structure: {
        if (!name.empty() && !has_prefix(form_, name + ".")) return false;
        out += '{';
        bool first = true;
        for (const model::Member& member : shape.members) {
          std::string path = name.empty() ? std::string(member.name) : name + "." + std::string(member.name);
          std::size_t mark = out.size();
          if (!first) out += ',';
          lines::append_json_string(out, member.name);
          out += ':';
          if (value(member.shape, path, out)) {
            first = false;
          } else {
            out.resize(mark);
          }
        }
        out += '}';
        return true;
      }
      case Type::list: {
        auto empty = form_.find(name);  // "Name=": an empty list
        if (!has_prefix(form_, name + ".member.")) {
          if (empty == form_.end()) return false;
          out += "[]";
          return true;
        }
        out += '[';
        for (int i = 1;; ++i) {
          std::size_t mark = out.size();
          if (i > 1) out += ',';
          if (!value(shape.element, fmt::format("{}.member.{}", name, i), out)) {
            out.resize(mark);
            break;
          }
        }
        out += ']';
        return true;
      }
      case Type::map: {
        if (!has_prefix(form_, name + ".entry.")) return false;
        out += '{';
        for (int i = 1;; ++i) {
          auto key = form_.find(fmt::format("{}.entry.{}.key", name, i));
          if (key == form_.end()) break;
          if (i > 1) out += ',';
          lines::append_json_string(out, key->second);
          out += ':';
          if (!value(shape.element, fmt::format("{}.entry.{}.value", name, i), out)) out += "null";
        }
        out += '}';
        return true;
      }
      default:
        break;
    }
    auto found = form_.find(name);
    if (found == form_.end()) return false;
    const std::string& text = found->second;
    switch (shape.type) {
      case Type::integer:
      case Type::long_:
      case Type::double_: {
        auto number = json_number(text, shape.type != Type::double_);
        if (!number) return malformed(name, "a number", text, out);
        out += *number;
        return true;
      }
      case Type::boolean:
        if (text != "true" && text != "false") return malformed(name, "true or false", text, out);
        out += text;
        return true;
      case Type::timestamp: {
        auto ms = lines::parse_iso8601(text);
        auto seconds = ms ? std::nullopt : json_number(text, false);
        if (seconds) {  // epoch seconds are taken too, as by the JSON protocols
          out += *seconds;
          return true;
        }
        if (!ms) return malformed(name, "an ISO 8601 time", text, out);
        out += fmt::format("{}.{:03}", *ms / 1000, *ms % 1000);
        return true;
      }
      default:  // string, blob (base64 in both protocols)
        lines::append_json_string(out, text);
        return true;
    }
  }

 private:
  bool malformed(const std::string& name, std::string_view wanted, std::string_view text, std::string& out) {
    if (!error) error = ApiError{400, "MalformedInput", fmt::format("{} must be {}, not '{}'", name, wanted, text)};
    out += "null";
    return true;
  }

  const model::Service& service_;
  const Form& form_;
};

void open_tag(std::string& out, std::string_view name) { out += '<', out += name, out += '>'; }
void close_tag(std::string& out, std::string_view name) { out += "</", out += name, out += '>'; }

// Appends the XML of `value`, of shape `index`, as the content of an element.
void append_xml(const model::Service& service, std::uint16_t index, simdjson::dom::element value, std::string& out) {
  const model::Shape& shape = service.shape(index);
  switch (shape.type) {
    case Type::structure: {
      simdjson::dom::object object;
      if (value.get(object)) return;
      for (const model::Member& member : shape.members) {
        simdjson::dom::element field;
        if (object[member.name].get(field) || field.is_null()) continue;
        open_tag(out, member.name);
        append_xml(service, member.shape, field, out);
        close_tag(out, member.name);
      }
      return;
    }
    case Type::list: {
      simdjson::dom::array array;
      if (value.get(array)) return;
      for (simdjson::dom::element element : array) {
        open_tag(out, "member");
        append_xml(service, shape.element, element, out);
        close_tag(out, "member");
      }
      return;
    }
    case Type::map: {
      simdjson::dom::object object;
      if (value.get(object)) return;
      for (auto [key, element] : object) {
        out += "<entry><key>";
        lines::append_xml_escaped(out, key);
        out += "</key><value>";
        append_xml(service, shape.element, element, out);
        out += "</value></entry>";
      }
      return;
    }
    case Type::timestamp: {
      double seconds;
      std::string_view text;
      if (!value.get(seconds)) {
        out += lines::format_iso8601(static_cast<lines::EpochMs>(seconds * 1000 + (seconds < 0 ? -0.5 : 0.5)));
      } else if (!value.get(text)) {
        lines::append_xml_escaped(out, text);
      }
      return;
    }
    default: {
      std::string_view text;
      if (!value.get(text)) {
        lines::append_xml_escaped(out, text);
      } else {
        out += simdjson::minify(value);  // numbers and booleans as JSON writes them
      }
    }
  }
}

}  // namespace

bool is_query_request(std::string_view content_type, std::string_view body) {
  return content_type.starts_with("application/x-www-form-urlencoded") &&
         (body.starts_with("Action=") || body.find("&Action=") != std::string_view::npos);
}

std::variant<QueryCall, ApiError> decode_query(const model::Service& service, std::string_view body) {
  Form form;
  std::optional<ApiError> malformed;
  for_each_query_pair(body, [&](std::string_view name, std::string_view value) {
    std::string decoded_name = form_decode(name), decoded_value = form_decode(value);
    // The JSON the operations read must be valid UTF-8, as the JSON protocols' parser demands.
    if (!simdjson::validate_utf8(decoded_name) || !simdjson::validate_utf8(decoded_value)) {
      malformed = ApiError{400, "MalformedInput",
                           fmt::format("the form's {} is not valid UTF-8",
                                       simdjson::validate_utf8(decoded_name) ? decoded_name : "member name")};
      return false;
    }
    form.emplace(std::move(decoded_name), std::move(decoded_value));
    return true;
  });
  if (malformed) return *malformed;
  auto action = form.find("Action");
  if (action == form.end()) return ApiError{400, "MissingAction", "the request names no Action"};
  const model::Operation* operation = service.operation(action->second);
  if (operation == nullptr)
    return ApiError{400, "InvalidAction", fmt::format("The action {} is not valid for this web service.", action->second)};
  Decoder decoder(service, form);
  QueryCall call{operation, {}};
  if (operation->input == model::kNoShape) {
    call.json = "{}";
  } else {
    decoder.value(operation->input, "", call.json);
  }
  if (decoder.error) return *decoder.error;
  return call;
}

std::string encode_query_answer(const model::Service& service, const model::Operation& operation, std::string_view json,
                                std::string_view request_id) {
  std::string out = fmt::format("<{}Response xmlns=\"{}\">", operation.name, service.xml_namespace);
  if (operation.output != model::kNoShape) {
    std::string wrapper = operation.result_wrapper.empty() ? fmt::format("{}Result", operation.name)
                                                           : std::string(operation.result_wrapper);
    open_tag(out, wrapper);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (!parser.parse(json.data(), json.size()).get(root)) append_xml(service, operation.output, root, out);
    close_tag(out, wrapper);
  }
  out += "<ResponseMetadata><RequestId>";
  lines::append_xml_escaped(out, request_id);
  out += fmt::format("</RequestId></ResponseMetadata></{}Response>", operation.name);
  return out;
}

std::string_view query_error_code(const model::Service& service, std::string_view type) {
  if (type == "ValidationException") return "ValidationError";
  const model::Shape* shape = service.shape_named(type);
  return shape != nullptr && shape->exception && !shape->error_code.empty() ? shape->error_code : type;
}

std::string encode_query_error(const model::Service& service, const ApiError& error, std::string_view request_id) {
  std::string out = fmt::format("<ErrorResponse xmlns=\"{}\"><Error><Type>{}</Type><Code>", service.xml_namespace,
                                error.status >= 500 ? "Receiver" : "Sender");
  lines::append_xml_escaped(out, query_error_code(service, error.type));
  out += "</Code><Message>";
  lines::append_xml_escaped(out, error.message);
  out += "</Message></Error><RequestId>";
  lines::append_xml_escaped(out, request_id);
  out += "</RequestId></ErrorResponse>";
  return out;
}

}  // namespace millrace::aws
