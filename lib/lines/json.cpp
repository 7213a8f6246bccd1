#include "lines/json.h"

#include <fmt/format.h>

#include <cctype>

namespace millrace::lines {

Field::Field(std::string spec) : spec_(std::move(spec)), pointer_(spec_.starts_with('/')) {}

std::optional<simdjson::dom::element> Field::find(simdjson::dom::element root) const {
  simdjson::dom::element value;
  auto error = pointer_ ? root.at_pointer(spec_).get(value) : root[spec_].get(value);
  if (error) return std::nullopt;
  return value;
}

Validator::Validator() {
  // Start with room for a typical line; the parser grows itself for larger ones.
  if (parser_.allocate(64 * 1024, kMaxDepth) != simdjson::SUCCESS) throw std::bad_alloc();
}

simdjson::error_code Validator::parse(std::string_view text, simdjson::dom::element& root) {
  return parser_.parse(text.data(), text.size(), false).get(root);
}

std::string describe(simdjson::error_code error) {
  std::string reason = simdjson::error_message(error);
  if (error == simdjson::DEPTH_ERROR) reason = fmt::format("nested deeper than {} levels", kMaxDepth);
  if (error == simdjson::EMPTY) reason = "empty line";
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  while (!reason.empty() && reason.back() == '.') reason.pop_back();
  return "invalid JSON: " + reason;
}

std::optional<std::string_view> scalar_text(simdjson::dom::element value, std::string& scratch) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::STRING:
      return std::string_view(value.get_string().value_unsafe());
    case element_type::INT64:
      scratch = fmt::format("{}", value.get_int64().value_unsafe());
      return scratch;
    case element_type::UINT64:
      scratch = fmt::format("{}", value.get_uint64().value_unsafe());
      return scratch;
    case element_type::DOUBLE:
      scratch = fmt::format("{}", value.get_double().value_unsafe());
      return scratch;
    case element_type::BOOL:
      return value.get_bool().value_unsafe() ? "true" : "false";
    default:
      return std::nullopt;
  }
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain = 0;  // start of the run of bytes that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

}  // namespace millrace::lines
