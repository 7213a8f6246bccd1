// Verifier: a request's SigV4 signature checked as AWS checks it, with AWS's answers.
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "aws/sigv4.h"
#include "aws/text.h"

namespace millrace::aws {
namespace {

using std::chrono::seconds;

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret "
    "Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

Verdict refuse(Refusal refusal) {
  Verdict verdict;
  verdict.refusal = std::move(refusal);
  return verdict;
}

Verdict refuse(std::string_view type, std::string message) {
  return refuse(Refusal{type, std::move(message)});
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// An HTTP date, IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT") or with the zone as Python's
// email.utils.formatdate writes it ("-0000"): the Date header botocore signs when a request
// has one.
std::optional<SigningTime> parse_http_date(std::string_view text) {
  using namespace std::chrono;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (text.size() < 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text[25] != ' ')
    return std::nullopt;
  std::string_view zone = text.substr(26);
  if (zone != "GMT" && zone != "-0000" && zone != "+0000") return std::nullopt;
  std::size_t month = kMonths.find(text.substr(8, 3));
  if (month == std::string_view::npos || month % 3 != 0) return std::nullopt;
  // Rewritten in basic format, the one parser checks every field.
  std::string basic =
      fmt::format("{}{:02}{}T{}{}{}Z", text.substr(12, 4), month / 3 + 1, text.substr(5, 2),
                  text.substr(17, 2), text.substr(20, 2), text.substr(23, 2));
  return parse_amz_date(basic);
}

// The parts of a signature, from the Authorization header or from the query string. Views
// into the request, or into `decoded` for a presigned request's (encoded) parameters.
struct Parts {
  bool presigned = false;
  std::string_view algorithm, credential, signed_headers, signature, session_token;
  std::string_view date_text;  // X-Amz-Date, or the Date header
  std::optional<seconds> expires;
  std::array<std::string, 6> decoded;
};

bool is_separator(char c) { return c == ' ' || c == ','; }

// The Authorization header's parts; a refusal when some are missing. The header is
// "ALGORITHM Credential=..., SignedHeaders=..., Signature=...", the items separated by commas
// or spaces (both, as SDKs write it).
std::optional<Refusal> read_header(const RequestView& request, std::string_view authorization,
                                   Parts& parts) {
  std::size_t at = 0, end = authorization.size();
  auto next_item = [&] {
    while (at < end && is_separator(authorization[at])) ++at;
    std::size_t start = at;
    while (at < end && !is_separator(authorization[at])) ++at;
    return authorization.substr(start, at - start);
  };
  parts.algorithm = next_item();
  for (std::string_view item = next_item(); !item.empty(); item = next_item()) {
    std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view name = item.substr(0, equals), value = item.substr(equals + 1);
    if (name == "Credential") parts.credential = value;
    if (name == "SignedHeaders") parts.signed_headers = value;
    if (name == "Signature") parts.signature = value;
  }
  auto date = request.header("x-amz-date");
  if (!date) date = request.header("date");
  if (date) parts.date_text = trim(*date);
  if (auto token = request.header("x-amz-security-token")) parts.session_token = trim(*token);
  std::string missing;
  for (auto [name, value] :
       {std::pair{"Credential", parts.credential}, std::pair{"Signature", parts.signature},
        std::pair{"SignedHeaders", parts.signed_headers}})
    if (value.empty())
      missing += fmt::format("Authorization header requires '{}' parameter. ", name);
  if (!date)
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing.empty()) return std::nullopt;
  return Refusal{kIncompleteSignature, fmt::format("{}Authorization={}", missing, authorization)};
}

// A presigned request's parameters; a refusal when some are missing.
std::optional<Refusal> read_query(const RequestView& request, Parts& parts) {
  parts.presigned = true;
  std::string missing;
  std::string_view* targets[] = {&parts.algorithm, &parts.credential, &parts.signature,
                                 &parts.signed_headers, &parts.date_text};
  std::string_view names[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                              "X-Amz-SignedHeaders", "X-Amz-Date"};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (auto value = query_parameter(request.query, names[i])) parts.decoded[i] = std::move(*value);
    *targets[i] = parts.decoded[i];
    if (targets[i]->empty())
      missing += fmt::format("AWS query-string parameters must include '{}'. ", names[i]);
  }
  if (!missing.empty())
    return Refusal{kIncompleteSignature, missing + "Re-examine the query-string parameters."};
  if (auto token = query_parameter(request.query, "X-Amz-Security-Token")) {
    parts.decoded[5] = std::move(*token);
    parts.session_token = parts.decoded[5];
  }
  if (auto expires = query_parameter(request.query, "X-Amz-Expires")) {
    // S3's answers: AWS's JSON services document none.
    std::string_view text = *expires;
    bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
      return Refusal{kIncompleteSignature, "X-Amz-Expires should be a number"};
    if (negative) return Refusal{kIncompleteSignature, "X-Amz-Expires must be non-negative"};
    // Seven digits hold a week (604800) and then some: longer is past it, and not parsed.
    if (text.size() > 7 || seconds(std::stol(std::string(text))) > kMaxExpires)
      return Refusal{kIncompleteSignature,
                     "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                     "X-Amz-Expires must be less than 604800 seconds"};
    parts.expires = seconds(std::stol(std::string(text)));
  }
  return std::nullopt;
}

// "Signature expired: ..." or "Signature not yet current: ...", or nullopt when `time` is
// within the window AWS allows.
std::optional<Refusal> check_time(const Parts& parts, SigningTime time, SigningTime now) {
  auto date = [&] { return format_amz_date(time); };
  if (time > now + kClockSkew)
    return Refusal{kInvalidSignature,
                   fmt::format("Signature not yet current: {} is still later than {} ({} + 5 min.)",
                               date(), format_amz_date(now + kClockSkew), format_amz_date(now))};
  if (parts.expires) {
    if (now > time + *parts.expires)
      return Refusal{kInvalidSignature,
                     fmt::format("Signature expired: {} is now earlier than {} ({} - {} sec.)",
                                 date(), format_amz_date(now - *parts.expires),
                                 format_amz_date(now), parts.expires->count())};
  } else if (time < now - kClockSkew) {
    return Refusal{kInvalidSignature,
                   fmt::format("Signature expired: {} is now earlier than {} ({} - 5 min.)", date(),
                               format_amz_date(now - kClockSkew), format_amz_date(now))};
  }
  return std::nullopt;
}

// Equality that takes as long for every pair of the same length: how long a comparison takes
// must not tell a caller how many leading characters of a guess were right.
bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_hex_digest(std::string_view text) {
  return text.size() == 64 &&
         text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

// The five parts of a credential, AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request.
struct Credential {
  std::string_view access_key_id, date, region, service, terminator;
  std::string_view scope;  // all but the access key id: the string to sign's third line
};

std::optional<Credential> split_credential(std::string_view text) {
  std::string_view parts[5];
  std::size_t slashes = 0;
  for (std::string_view rest = text;; ++slashes) {
    std::size_t slash = rest.find('/');
    if (slashes < 5) parts[slashes] = rest.substr(0, slash);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (slashes != 4) return std::nullopt;
  return Credential{parts[0], parts[1], parts[2],
                    parts[3], parts[4], text.substr(parts[0].size() + 1)};
}

// The scope's problems, all of them in one message as AWS gives them; nullopt when none.
std::optional<Refusal> check_scope(const Credential& credential, std::string_view amz_date,
                                   std::string_view service) {
  std::string problems;
  if (!service.empty() && credential.service != service)
    problems += fmt::format("Credential should be scoped to correct service: '{}'. ", service);
  if (credential.terminator != kTerminator)
    problems += fmt::format(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
        credential.terminator);
  if (credential.date != amz_date.substr(0, 8))
    problems += fmt::format(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '{}' != '{}', from '{}'. ",
        credential.date, amz_date.substr(0, 8), amz_date);
  if (problems.empty()) return std::nullopt;
  return Refusal{kInvalidSignature, std::move(problems)};
}

// The body's SHA-256 in hex: the caller's, or computed once, when first asked for.
class BodyHash {
 public:
  explicit BodyHash(const RequestView& request) : request_(request), hex_(request.body_sha256) {}
  std::string_view get() {
    if (hex_.empty()) {
      to_hex(sha256(request_.body), computed_);
      hex_ = std::string_view(computed_, sizeof computed_);
    }
    return hex_;
  }

 private:
  const RequestView& request_;
  std::string_view hex_;
  char computed_[64];
};

// The body against the x-amz-content-sha256 that was signed in its place.
std::optional<Refusal> check_body(std::string_view content_sha256, bool s3, BodyHash& body) {
  if (iequals(content_sha256, kUnsignedPayload)) {
    if (s3) return std::nullopt;  // S3 lets a signature leave the body out; no other service
    return Refusal{kInvalidSignature, "x-amz-content-sha256 must be a valid sha256 value."};
  }
  if (!is_hex_digest(content_sha256))
    return Refusal{kInvalidSignature,
                   "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, or a valid sha256 value."};
  if (!iequals(content_sha256, body.get()))
    return Refusal{kInvalidSignature,
                   "The provided 'x-amz-content-sha256' header does not match what was computed."};
  return std::nullopt;
}

bool has_query_signature(std::string_view query) {
  bool found = false;
  for_each_query_pair(query, [&](std::string_view name, std::string_view) {
    found = percent_decode(name) == "X-Amz-Algorithm";
    return !found;
  });
  return found;
}

// What this thread builds for each request, kept so that a request allocates nothing for it.
struct Scratch {
  std::string canonical;
  std::string to_sign;
  std::vector<std::string_view> names;
};

Scratch& scratch() {
  thread_local Scratch scratch;
  scratch.canonical.clear();
  scratch.to_sign.clear();
  scratch.names.clear();
  return scratch;
}

}  // namespace

struct Verifier::KeyCache {
  struct Entry {
    const Credentials* credentials = nullptr;  // one secret per access key id in a store
    std::string date, region, service;
    std::shared_ptr<const HmacKey> key;
  };
  std::mutex mutex;
  std::array<Entry, kCachedKeys> entries;
  std::size_t oldest = 0;

  std::shared_ptr<const HmacKey> get(const Credentials& credentials, std::string_view date,
                                     const Scope& scope) {
    {
      std::lock_guard lock(mutex);
      for (const Entry& entry : entries)
        if (entry.credentials == &credentials && entry.date == date &&
            entry.region == scope.region && entry.service == scope.service)
          return entry.key;
    }
    // Derived outside the lock: four HMACs another thread need not wait for.
    auto key =
        std::make_shared<const HmacKey>(signing_key(credentials.secret_access_key, date, scope));
    std::lock_guard lock(mutex);
    entries[oldest] = Entry{&credentials, std::string(date), std::string(scope.region),
                            std::string(scope.service), key};
    oldest = (oldest + 1) % entries.size();
    return key;
  }
};

Verifier::Verifier(CredentialStore store)
    : store_(std::move(store)), cache_(std::make_unique<KeyCache>()) {}

Verifier::~Verifier() = default;

Verdict Verifier::verify(const RequestView& request, SigningTime now,
                         std::string_view service) const {
  // 1. Which kind of signature.
  auto authorization = request.header("authorization");
  bool presigned = has_query_signature(request.query);
  if (authorization && presigned)
    return refuse(kInvalidSignature,
                  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                  "HTTP header.");
  if (!authorization && !presigned)
    return refuse(kMissingAuthenticationToken, "Missing Authentication Token");

  // 2. Its parts.
  Parts parts;
  auto incomplete =
      presigned ? read_query(request, parts) : read_header(request, *authorization, parts);
  if (incomplete) return refuse(std::move(*incomplete));
  if (parts.algorithm != kAlgorithm)
    return refuse(kIncompleteSignature,
                  fmt::format("Unsupported AWS 'algorithm': '{}'", parts.algorithm));
  std::optional<SigningTime> time = parse_amz_date(parts.date_text);
  std::string reformatted;  // the basic format of an HTTP Date header
  if (!time && !presigned && (time = parse_http_date(parts.date_text)))
    reformatted = format_amz_date(*time);
  if (!time)
    return refuse(kIncompleteSignature,
                  fmt::format("Date must be in ISO-8601 'basic format'. Got '{}'. See "
                              "http://en.wikipedia.org/wiki/ISO_8601",
                              parts.date_text));
  std::string_view amz_date = reformatted.empty() ? parts.date_text : reformatted;
  std::optional<Credential> credential = split_credential(parts.credential);
  if (!credential)
    return refuse(kIncompleteSignature,
                  fmt::format("Credential must have exactly 5 slash-delimited elements, e.g. "
                              "keyid/date/region/service/term, got '{}'",
                              parts.credential));

  // 3. The time; 4. the scope.
  if (auto refusal = check_time(parts, *time, now)) return refuse(std::move(*refusal));
  if (auto refusal = check_scope(*credential, amz_date, service))
    return refuse(std::move(*refusal));

  // 5. Host among the signed headers.
  Scratch& work = scratch();
  for (std::string_view rest = parts.signed_headers; !rest.empty();) {
    std::size_t semicolon = rest.find(';');
    work.names.push_back(rest.substr(0, semicolon));
    rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
  }
  if (std::find(work.names.begin(), work.names.end(), "host") == work.names.end())
    return refuse(kInvalidSignature,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  // 6. The key and its session token.
  const Credentials* credentials = store_.find(credential->access_key_id);
  if (credentials == nullptr || !same_secret(parts.session_token, credentials->session_token))
    return refuse(kUnrecognizedClient, std::string(kInvalidToken));

  // 7. The signature.
  Scope scope{credential->region, credential->service};
  PathRule rule = path_rule(scope.service);
  bool s3 = is_s3(scope.service);
  auto content_sha256 = request.header("x-amz-content-sha256");
  if (content_sha256) content_sha256 = trim(*content_sha256);
  BodyHash body(request);
  std::string_view payload_hash = content_sha256    ? *content_sha256
                                  : presigned && s3 ? kUnsignedPayload
                                                    : body.get();
  canonical_request(request, work.names, payload_hash, rule, work.canonical,
                    presigned ? "X-Amz-Signature" : "");
  char canonical_hex[64];
  to_hex(sha256(work.canonical), canonical_hex);
  work.to_sign.append(kAlgorithm).append("\n").append(amz_date).append("\n");
  work.to_sign.append(credential->scope).append("\n").append(canonical_hex, sizeof canonical_hex);
  char expected[64];
  to_hex(cache_->get(*credentials, credential->date, scope)->mac(work.to_sign), expected);
  if (!same_secret(parts.signature, std::string_view(expected, sizeof expected)))
    return refuse(kInvalidSignature,
                  fmt::format("{}\n\nThe Canonical String for this request should have been\n'{}'"
                              "\n\nThe String-to-Sign should have been\n'{}'\n",
                              kMismatch, work.canonical, work.to_sign));

  // 8. The body against the hash that was signed in its place.
  if (content_sha256)
    if (auto refusal = check_body(*content_sha256, s3, body)) return refuse(std::move(*refusal));
  Verdict verdict;
  verdict.caller = Caller{std::string(credential->access_key_id), std::string(scope.region),
                          std::string(scope.service)};
  return verdict;
}

}  // namespace millrace::aws
