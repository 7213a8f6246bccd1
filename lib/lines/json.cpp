#include "lines/json.h"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>

namespace millrace::lines {

namespace {

// RFC 8259's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.' && (++i, !digits())) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// Walks a whole on-demand value, so that every part of it is checked.
simdjson::error_code walk(simdjson::ondemand::value value, std::size_t depth) {
  using simdjson::ondemand::json_type;
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field : object) {
        std::string_view key;
        simdjson::ondemand::value member;
        if (auto error = field.unescaped_key().get(key)) return error;
        if (auto error = field.value().get(member)) return error;
        if (auto error = walk(member, depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case json_type::array: {
      simdjson::ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element : array) {
        simdjson::ondemand::value member;
        if (auto error = element.get(member)) return error;
        if (auto error = walk(member, depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case json_type::string:
      return value.get_string().error();
    case json_type::number:
      return is_json_number(trim_right(value.raw_json_token())) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case json_type::boolean:
      return value.get_bool().error();
    case json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

// The text of a scalar for use as a key; nullopt for null, objects and arrays.
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

// a == b, for the short strings of JSON keys: two overlapping loads a side up to 16 bytes, where
// memcmp would cost a call and a dispatch on the size.
bool same_key(std::string_view a, std::string_view b) {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  const char *p = a.data(), *q = b.data();
  auto load = [](const char* at, auto word) {
    std::memcpy(&word, at, sizeof word);
    return word;
  };
  if (n >= 8 && n <= 16)
    return load(p, std::uint64_t{}) == load(q, std::uint64_t{}) && load(p + n - 8, std::uint64_t{}) == load(q + n - 8, std::uint64_t{});
  if (n >= 4 && n < 8)
    return load(p, std::uint32_t{}) == load(q, std::uint32_t{}) && load(p + n - 4, std::uint32_t{}) == load(q + n - 4, std::uint32_t{});
  return a == b;
}

}  // namespace

std::string_view trim_right(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
  return t;
}

Field::Field(std::string spec) : spec_(std::move(spec)) {
  if (spec_.starts_with('/')) {
    pointer_ = spec_;
    return;
  }
  pointer_ = "/";
  for (char c : spec_) {  // RFC 6901 escapes
    if (c == '~') {
      pointer_ += "~0";
    } else if (c == '/') {
      pointer_ += "~1";
    } else {
      pointer_ += c;
    }
  }
}

std::optional<simdjson::dom::element> Field::find(simdjson::dom::element root) const {
  simdjson::dom::element value;
  // A top-level name is one key lookup; a pointer is parsed on each call.
  auto error = spec_.starts_with('/') ? root.at_pointer(pointer_).get(value) : root[spec_].get(value);
  if (error) return std::nullopt;
  return value;
}

FieldSet::FieldSet(std::vector<Field> fields) : fields_(std::move(fields)) {
  for (std::size_t i = 0; i < fields_.size(); ++i) (fields_[i].spec().starts_with('/') ? pointers_ : names_).push_back(i);
  for (std::size_t j = 0; j < names_.size() && j < 64; ++j)
    names_by_length_[fields_[names_[j]].spec().size() % 64] |= std::uint64_t{1} << j;
}

void FieldSet::find_all(simdjson::dom::element root,
                        std::vector<std::optional<simdjson::dom::element>>& values) const {
  values.assign(fields_.size(), std::nullopt);
  for (std::size_t i : pointers_) values[i] = fields_[i].find(root);
  simdjson::dom::object object;
  if (names_.empty() || root.get_object().get(object)) return;
  if (names_.size() > 64) {
    std::size_t left = names_.size();
    for (auto [key, value] : object) {
      for (std::size_t i : names_) {
        if (!values[i] && key == fields_[i].spec()) {  // the first of duplicate keys, as at_key
          values[i] = value;
          --left;
        }
      }
      if (left == 0) break;
    }
    return;
  }
  std::uint64_t pending = names_.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << names_.size()) - 1;
  for (auto [key, value] : object) {
    for (std::uint64_t same_length = names_by_length_[key.size() % 64] & pending; same_length != 0;
         same_length &= same_length - 1) {
      int j = std::countr_zero(same_length);
      std::size_t i = names_[static_cast<std::size_t>(j)];
      if (same_key(key, fields_[i].spec())) {
        values[i] = value;
        pending &= ~(std::uint64_t{1} << j);  // the first of duplicate keys, as at_key
      }
    }
    if (pending == 0) break;
  }
}

Validator::Validator() {
  // Start with room for a typical line; the parser grows itself for larger ones.
  if (parser_.allocate(64 * 1024, kMaxDepth) != simdjson::SUCCESS) throw std::bad_alloc();
#ifdef SIMDJSON_THREADS_ENABLED
  // A block's stream is one batch, but simdjson still reads ahead on a thread of its own when
  // the batch stops short of the block's end (at a byte that is not UTF-8, say): that thread
  // would go on reading the block after the caller has moved on and the reader has reused or
  // freed its buffer.
  parser_.threaded = false;
#endif
}

void Validator::begin_block(std::string_view block) {
  in_block_ = false;
  took_document_ = false;
  // One batch for the whole block, parsed on this thread (threaded is off).
  std::size_t batch = std::max(block.size(), std::size_t{simdjson::dom::MINIMAL_BATCH_SIZE});
  if (block.empty() || parser_.parse_many(block.data(), block.size(), batch).get(block_stream_)) return;
  block_ = block;
  block_document_ = block_stream_.begin();
  in_block_ = true;
}

bool Validator::take_from_block(std::string_view text) {
  // Stepping past a document parses the next one over the DOM the last line's root_ is in.
  if (took_document_) ++block_document_;
  took_document_ = false;
  if (!(block_document_ != block_stream_.end())) return false;
  simdjson::dom::element root;
  if ((*block_document_).get(root) || !(root.is_object() || root.is_array()) ||
      text.data() != block_.data() + block_document_.current_index())
    return false;
  // An object's or array's source ends at its closing bracket; the line may go on with
  // whitespace only.
  std::size_t size = block_document_.source().size();
  if (size > text.size() || text.find_first_not_of(" \t\r\n", size) != std::string_view::npos) return false;
  root_ = root;
  took_document_ = true;
  return true;
}

simdjson::error_code Validator::parse(std::string_view text) {
  text_ = text;
  if (in_block_) {
    if (take_from_block(text)) {
      has_dom_ = true;
      return simdjson::SUCCESS;
    }
    in_block_ = false;  // this line and the rest of the block one by one
  }
  auto error = parser_.parse(text.data(), text.size(), false).get(root_);
  has_dom_ = !error;
  if (error != simdjson::NUMBER_ERROR) return error;
  simdjson::ondemand::document doc;
  if (auto e = fallback_.iterate(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING).get(doc)) return e;
  simdjson::ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == simdjson::ondemand::json_type::number) {  // a document that is one number
    std::string_view token = trim_right(text);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    return is_json_number(token) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
  }
  simdjson::ondemand::value value;
  if (auto e = doc.get_value().get(value)) return e;
  if (auto e = walk(value, 1)) return e;
  // Past the end of the document there is nothing left to read: no trailing content.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS ? simdjson::SUCCESS : simdjson::TRAILING_CONTENT;
}

FieldText Validator::field_text(const Field& field, std::string& scratch) {
  using Status = FieldText::Status;
  if (has_dom_) {
    auto value = field.find(root_);
    if (!value) return {Status::missing, {}};
    auto text = scalar_text(*value, scratch);
    return text ? FieldText{Status::ok, *text} : FieldText{Status::not_scalar, {}};
  }
  simdjson::ondemand::document doc;
  simdjson::ondemand::value value;
  if (fallback_.iterate(text_.data(), text_.size(), text_.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      doc.at_pointer(field.pointer()).get(value))
    return {Status::missing, {}};
  simdjson::ondemand::json_type type;
  if (value.type().get(type)) return {Status::missing, {}};
  if (type == simdjson::ondemand::json_type::string) {
    std::string_view text;
    if (value.get_string().get(text)) return {Status::missing, {}};
    scratch.assign(text);
    return {Status::ok, scratch};
  }
  if (type == simdjson::ondemand::json_type::number || type == simdjson::ondemand::json_type::boolean) {
    scratch.assign(trim_right(value.raw_json_token()));
    return {Status::ok, scratch};
  }
  return {Status::not_scalar, {}};
}

EpochMs time_value(simdjson::dom::element value) {
  if (value.is_string()) return iso8601_ms(value.get_string().value_unsafe());
  std::optional<EpochMs> ms;
  if (value.is_int64()) ms = parse_epoch_number(static_cast<double>(value.get_int64().value_unsafe()));
  else if (value.is_uint64()) ms = parse_epoch_number(static_cast<double>(value.get_uint64().value_unsafe()));
  else if (value.is_double()) ms = parse_epoch_number(value.get_double().value_unsafe());
  return ms.value_or(kNotATime);
}

std::string describe(simdjson::error_code error) {
  std::string reason = simdjson::error_message(error);
  if (error == simdjson::DEPTH_ERROR) reason = fmt::format("nested deeper than {} levels", kMaxDepth);
  if (error == simdjson::EMPTY) reason = "empty line";
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  while (!reason.empty() && reason.back() == '.') reason.pop_back();
  return "invalid JSON: " + reason;
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

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 when there is none
// (the Unicode Standard's table 3-7 of well-formed byte sequences).
std::size_t utf8_sequence_length(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length == 0 || text.size() < length) return 0;
  // The second byte's range narrows after E0 (no overlong), ED (no surrogates), F0 and F4.
  unsigned char low = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : 0x80;
  unsigned char high = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : 0xbf;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  return length;
}

}  // namespace

void append_json_text(std::string& out, std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return append_json_string(out, text);
  std::string valid;
  valid.reserve(text.size() + 8);
  while (!text.empty()) {
    std::size_t length = utf8_sequence_length(text);
    if (length == 0) {
      valid += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      length = 1;
    } else {
      valid.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  append_json_string(out, valid);
}

void append_base64(std::string& out, std::string_view bytes) {
  std::size_t at = out.size();
  out.resize(at + 4 * ((bytes.size() + 2) / 3) + 1);  // EVP_EncodeBlock writes a terminating NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + at),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(at + static_cast<std::size_t>(n));
}

bool append_base64_decoded(std::string& out, std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t at = out.size();
  out.resize(at + text.size() / 4 * 3 + 1);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + at), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) {
    out.resize(at);
    return false;
  }
  // EVP_DecodeBlock counts the bytes of the padding as decoded zeros.
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  out.resize(at + static_cast<std::size_t>(n) - padding);
  return true;
}

}  // namespace millrace::lines
