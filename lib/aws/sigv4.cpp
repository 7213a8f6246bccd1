// SigV4's four steps, and signing with them. Verification is in sigv4_verify.cpp.
#include "aws/sigv4.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>

#include "aws/text.h"

namespace millrace::aws {
namespace {

// Headers botocore never signs (SIGNED_HEADERS_BLACKLIST): proxies and SDK layers change them.
constexpr std::string_view kNeverSigned[] = {"authorization", "expect", "user-agent",
                                             "x-amzn-trace-id"};

bool is_white(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// RFC 3986's remove_dot_segments with runs of slashes folded, as botocore's
// normalize_url_path: "/a/./b/../c//" → "/a/c/", "" → "/".
void append_normalized_path(std::string& out, std::string_view path) {
  if (path.empty()) {
    out += '/';
    return;
  }
  std::size_t start = out.size();
  if (path.front() == '/') out += '/';
  std::size_t base = out.size();  // segments are written after the leading slash
  std::size_t segments = 0;
  for (std::string_view rest = path; !rest.empty();) {
    std::size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (segments > 0) {
        std::size_t cut = out.rfind('/', out.size() - 1);
        out.resize(cut == std::string::npos || cut < base ? base : cut);
        --segments;
      }
      continue;
    }
    if (segments > 0) out += '/';
    out += segment;
    ++segments;
  }
  if (path.back() == '/' && segments > 0) out += '/';
  // Encode what was written in place: the segments are still as the client encoded them.
  std::string normalized = out.substr(start);
  out.resize(start);
  append_uri_encoded(out, normalized, true);
}

void append_canonical_query(std::string& out, std::string_view query, std::string_view leave_out) {
  if (query.empty()) return;
  std::vector<std::pair<std::string, std::string>> pairs;
  for_each_query_pair(query, [&](std::string_view name, std::string_view value) {
    std::string decoded_name = percent_decode(name);
    if (!leave_out.empty() && decoded_name == leave_out) return true;
    std::pair<std::string, std::string> pair;
    append_uri_encoded(pair.first, decoded_name, false);
    append_uri_encoded(pair.second, percent_decode(value), false);
    pairs.push_back(std::move(pair));
    return true;
  });
  std::sort(pairs.begin(), pairs.end());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out += '&';
    out += pairs[i].first;
    out += '=';
    out += pairs[i].second;
  }
}

// Trimall: no white space at either end, one space for each inner run.
void append_trimmed(std::string& out, std::string_view value) {
  while (!value.empty() && is_white(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_white(value.back())) value.remove_suffix(1);
  // Most values have nothing inside to fold: appended whole. (value[i + 1] exists: the last
  // character is not white.)
  bool folded = true;
  for (std::size_t i = 0; i < value.size() && folded; ++i)
    folded = !is_white(value[i]) || (value[i] == ' ' && !is_white(value[i + 1]));
  if (folded) {
    out += value;
    return;
  }
  bool in_white = false;
  bool started = false;
  for (char c : value) {
    if (is_white(c)) {
      in_white = true;
      continue;
    }
    if (in_white && started) out += ' ';
    out += c;
    in_white = false;
    started = true;
  }
}

bool never_signed(std::string_view name) {
  return std::any_of(std::begin(kNeverSigned), std::end(kNeverSigned),
                     [&](std::string_view never) { return iequals(name, never); });
}

std::string scope_text(std::string_view amz_date, const Scope& scope) {
  return fmt::format("{}/{}/{}/{}", amz_date.substr(0, 8), scope.region, scope.service,
                     kTerminator);
}

// What sign() and presign() share: the headers to sign and their names, sorted.
struct SigningInput {
  std::vector<HeaderField> headers;
  std::vector<std::string> lower_names;
  std::vector<std::string_view> names;

  SigningInput(const RequestView& request, std::span<const HeaderField> added) {
    for (const HeaderField& header : request.headers)
      if (!never_signed(header.name)) headers.push_back(header);
    headers.insert(headers.end(), added.begin(), added.end());
    for (const HeaderField& header : headers) lower_names.push_back(ascii_lower(header.name));
    std::sort(lower_names.begin(), lower_names.end());
    lower_names.erase(std::unique(lower_names.begin(), lower_names.end()), lower_names.end());
    names.assign(lower_names.begin(), lower_names.end());
    if (!std::binary_search(names.begin(), names.end(), "host"))
      throw std::invalid_argument("SigV4 signs the Host header: the request has none");
  }

  std::string joined_names() const {
    std::string joined;
    for (std::string_view name : names) {
      if (!joined.empty()) joined += ';';
      joined += name;
    }
    return joined;
  }
};

std::string body_hash(const RequestView& request) {
  return request.body_sha256.empty() ? to_hex(sha256(request.body))
                                     : std::string(request.body_sha256);
}

std::string sign_canonical(std::string_view canonical, std::string_view amz_date,
                           const Credentials& credentials, const Scope& scope) {
  HmacKey key(signing_key(credentials.secret_access_key, amz_date.substr(0, 8), scope));
  return signature(key, string_to_sign(amz_date, scope, canonical));
}

}  // namespace

std::string format_amz_date(SigningTime time) {
  using namespace std::chrono;
  sys_days day = floor<days>(time);
  year_month_day date{day};
  hh_mm_ss clock{time - day};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::optional<SigningTime> parse_amz_date(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto number = [&](std::size_t at, std::size_t length) -> int {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  int y = number(0, 4), mo = number(4, 2), d = number(6, 2), h = number(9, 2), mi = number(11, 2),
      s = number(13, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return std::nullopt;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date} + hours{h} + minutes{mi} + seconds{s};
}

PathRule path_rule(std::string_view service) {
  return is_s3(service) ? PathRule::as_sent : PathRule::normalize_and_encode;
}

void canonical_request(const RequestView& request, std::span<const std::string_view> signed_headers,
                       std::string_view payload_hash, PathRule rule, std::string& out,
                       std::string_view leave_out) {
  out += request.method;
  out += '\n';
  if (rule == PathRule::as_sent)
    out += request.path.empty() ? std::string_view("/") : request.path;
  else if (request.path == "/")  // the JSON APIs' one path, spared the general case
    out += '/';
  else
    append_normalized_path(out, request.path);
  out += '\n';
  append_canonical_query(out, request.query, leave_out);
  out += '\n';
  for (std::string_view name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const HeaderField& header : request.headers) {
      if (!iequals(header.name, name)) continue;
      if (!first) out += ',';
      append_trimmed(out, header.value);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += signed_headers[i];
  }
  out += '\n';
  out += payload_hash;
}

std::string canonical_request(const RequestView& request,
                              std::span<const std::string_view> signed_headers,
                              std::string_view payload_hash, PathRule rule) {
  std::string out;
  canonical_request(request, signed_headers, payload_hash, rule, out);
  return out;
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, scope_text(amz_date, scope),
                     to_hex(sha256(canonical_request)));
}

Digest signing_key(std::string_view secret_access_key, std::string_view date, const Scope& scope) {
  std::string first_key;
  first_key.reserve(4 + secret_access_key.size());  // no copy of the secret left in freed memory
  first_key.append("AWS4").append(secret_access_key);
  Digest key = HmacKey(first_key).mac(date);
  OPENSSL_cleanse(first_key.data(), first_key.size());
  key = HmacKey(key).mac(scope.region);
  key = HmacKey(key).mac(scope.service);
  return HmacKey(key).mac(kTerminator);
}

std::string signature(const HmacKey& signing_key, std::string_view string_to_sign) {
  return to_hex(signing_key.mac(string_to_sign));
}

Signed sign(const RequestView& request, const Credentials& credentials, const Scope& scope,
            SigningTime now, SignOptions options) {
  Signed result;
  std::string amz_date = format_amz_date(now);
  result.headers.push_back({"X-Amz-Date", amz_date});
  if (!credentials.session_token.empty())
    result.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  std::string payload_hash;
  if (is_s3(scope.service)) {
    // S3 wants the payload's hash in a header of its own, which is signed with the rest.
    payload_hash = options.unsigned_payload ? std::string(kUnsignedPayload) : body_hash(request);
    result.headers.push_back({"X-Amz-Content-SHA256", payload_hash});
  } else if (auto given = request.header("x-amz-content-sha256")) {
    payload_hash = *given;
  } else {
    payload_hash = body_hash(request);
  }
  std::vector<HeaderField> added;
  for (const Header& header : result.headers) added.push_back({header.name, header.value});
  SigningInput input(request, added);
  RequestView view = request;
  view.headers = input.headers;
  std::string canonical =
      canonical_request(view, input.names, payload_hash, path_rule(scope.service));
  result.authorization =
      fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kAlgorithm,
                  credentials.access_key_id, scope_text(amz_date, scope), input.joined_names(),
                  sign_canonical(canonical, amz_date, credentials, scope));
  return result;
}

std::string presign(const RequestView& request, const Credentials& credentials, const Scope& scope,
                    SigningTime now, std::chrono::seconds expires) {
  if (expires.count() < 1 || expires > kMaxExpires)
    throw std::invalid_argument("a presigned request lives from 1 second to a week");
  std::string amz_date = format_amz_date(now);
  SigningInput input(request, {});
  std::string query(request.query);
  auto add = [&](std::string_view name, std::string_view value) {
    if (!query.empty()) query += '&';
    query += name;
    query += '=';
    append_uri_encoded(query, value, false);
  };
  // In botocore's order, so that the whole query string can be compared with botocore's.
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential",
      fmt::format("{}/{}", credentials.access_key_id, scope_text(amz_date, scope)));
  add("X-Amz-Date", amz_date);
  add("X-Amz-Expires", std::to_string(expires.count()));
  add("X-Amz-SignedHeaders", input.joined_names());
  if (!credentials.session_token.empty()) add("X-Amz-Security-Token", credentials.session_token);
  std::string payload_hash;
  if (is_s3(scope.service))
    payload_hash = kUnsignedPayload;  // a presigned URL is made before its body exists
  else if (auto given = request.header("x-amz-content-sha256"))
    payload_hash = *given;
  else
    payload_hash = body_hash(request);
  RequestView view = request;
  view.headers = input.headers;
  view.query = query;
  std::string canonical =
      canonical_request(view, input.names, payload_hash, path_rule(scope.service));
  add("X-Amz-Signature", sign_canonical(canonical, amz_date, credentials, scope));
  return query;
}

std::optional<std::string_view> RequestView::header(std::string_view name) const {
  for (const HeaderField& field : headers)
    if (iequals(field.name, name)) return field.value;
  return std::nullopt;
}

}  // namespace millrace::aws
