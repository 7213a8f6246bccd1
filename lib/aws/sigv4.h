// AWS Signature Version 4, written once: the AWS client signs with it, gw-serve verifies with it.
//
// SigV4 as botocore's SigV4Auth computes it, in four named steps over a plain description of a
// request (RequestView):
//   1. canonical_request(): method, canonical path, canonical query, canonical headers, the
//      signed header names, the payload's SHA-256 in hex;
//   2. string_to_sign(): "AWS4-HMAC-SHA256", the time (20150830T123600Z), the scope
//      (20150830/us-east-1/kinesis/aws4_request), the SHA-256 of the canonical request;
//   3. signing_key(): HMAC-SHA256 of the date, region, service and "aws4_request" in turn,
//      starting from "AWS4" + the secret access key;
//   4. signature(): HMAC-SHA256 of the string to sign under the signing key, in hex.
//
// The rules, exactly:
// - Path: the path as sent on the wire (already percent-encoded by the client). Every service
//   but S3 normalizes it (dot segments removed, runs of slashes folded, "" is "/") and then
//   percent-encodes it once more, so "/a%20b" signs as "/a%2520b"; S3 signs it as sent.
// - Query: each name and value percent-decoded ("+" stays "+"), then encoded with only
//   A-Z a-z 0-9 - _ . ~ left as they are; pairs sorted by name, then by value; a name with no
//   value signs as "name="; X-Amz-Signature is left out; empty pairs ("a=1&&b=2") are skipped.
// - Headers: names lower-cased; a value loses its leading and trailing white space and each
//   inner run of white space becomes one space; a header given several times signs as its
//   values joined with ","; the signed names are sorted and joined with ";". A signed header
//   the request lacks signs with an empty value.
// - Payload: the value of x-amz-content-sha256 when the request has that header, else the
//   SHA-256 of the body; a presigned S3 request signs UNSIGNED-PAYLOAD.
// A client makes its wire path with uri_encode (aws/text.h): an S3 key keeps its slashes.
//
// Thread safety: the free functions may be called from any thread; so may Verifier::verify.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/sha256.h"

namespace millrace::aws {

struct HeaderField {
  std::string_view name;   // any case, as received
  std::string_view value;  // as received: untrimmed, folded lines allowed
};

// A request as SigV4 sees it. Views: the caller keeps the bytes alive.
struct RequestView {
  std::string_view method;               // "POST"
  std::string_view path;                 // as on the wire, without the query: "/", "/a%20b"
  std::string_view query;                // as on the wire, without '?': "", "b=2&a=%7E"
  std::span<const HeaderField> headers;  // every header, Host included
  std::string_view body;
  std::string_view body_sha256;  // the body's SHA-256 in hex, when the caller has it
                                 // already; empty: computed from `body` when needed

  // The value of the first header called `name` (any case), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

// The credential scope's region and service ("us-east-1", "kinesis").
struct Scope {
  std::string_view region;
  std::string_view service;
};

// The time in SigV4's ISO 8601 basic format: 20150830T123600Z.
using SigningTime = std::chrono::sys_seconds;
std::string format_amz_date(SigningTime time);
// nullopt unless `text` is exactly YYYYMMDDTHHMMSSZ, a valid time.
std::optional<SigningTime> parse_amz_date(std::string_view text);

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";  // the scope's last part
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// S3 signs by rules of its own: the path as sent, the payload's hash in x-amz-content-sha256,
// UNSIGNED-PAYLOAD allowed.
inline bool is_s3(std::string_view service) { return service == "s3"; }

// How the path is made canonical: S3 signs it as sent, every other service double-encodes.
enum class PathRule { normalize_and_encode, as_sent };
PathRule path_rule(std::string_view service);

// ---- The four steps ----------------------------------------------------------------------

// Step 1. `signed_headers` are lower-case names in the order to sign them (sorted, for a
// well-formed request); `payload_hash` is the payload's line (hex SHA-256 or UNSIGNED-PAYLOAD).
// `leave_out` is a query parameter left out (X-Amz-Signature, when verifying a presigned
// request). The result is appended to `out`.
void canonical_request(const RequestView& request, std::span<const std::string_view> signed_headers,
                       std::string_view payload_hash, PathRule rule, std::string& out,
                       std::string_view leave_out = {});
std::string canonical_request(const RequestView& request,
                              std::span<const std::string_view> signed_headers,
                              std::string_view payload_hash, PathRule rule);

// Step 2. `amz_date` is 20150830T123600Z; the scope's date is its first 8 characters.
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request);

// Step 3. `date` is YYYYMMDD.
Digest signing_key(std::string_view secret_access_key, std::string_view date, const Scope& scope);

// Step 4: lower-case hex.
std::string signature(const HmacKey& signing_key, std::string_view string_to_sign);

// ---- Signing, for a client -------------------------------------------------------------------

struct Header {
  std::string name;
  std::string value;
};

struct SignOptions {
  // S3 over HTTPS may leave the payload out of the signature (UNSIGNED-PAYLOAD), as botocore
  // does for S3 on HTTPS; ignored for other services.
  bool unsigned_payload = false;
};

struct Signed {
  std::string authorization;    // the Authorization header's value
  std::vector<Header> headers;  // to add before sending: X-Amz-Date, X-Amz-Security-Token
                                // (with a session token), X-Amz-Content-SHA256 (S3)
};

// Signs every header of `request` but Authorization and those botocore leaves unsigned
// (Expect, User-Agent, X-Amzn-Trace-Id), plus the headers it adds. REQUIRES: `request` has a
// Host header and none of the headers sign() adds.
Signed sign(const RequestView& request, const Credentials& credentials, const Scope& scope,
            SigningTime now, SignOptions options = {});

// A presigned request (botocore's SigV4QueryAuth): the query string to send, which is
// request.query followed by X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Security-Token (with a session token) and X-Amz-Signature.
// REQUIRES: a Host header; 1 <= expires <= 604800 s (a week, SigV4's limit).
std::string presign(const RequestView& request, const Credentials& credentials, const Scope& scope,
                    SigningTime now, std::chrono::seconds expires);

// ---- Verifying, for a server -----------------------------------------------------------------

// An AWS error: the `__type` and `message` AWS answers with. Every one is answered with HTTP
// 400 by the JSON APIs (Kinesis, DynamoDB) and 403 by API Gateway's routes.
struct Refusal {
  std::string_view type;
  std::string message;
};

// Error types (__type).
inline constexpr std::string_view kMissingAuthenticationToken =
    "MissingAuthenticationTokenException";
inline constexpr std::string_view kIncompleteSignature = "IncompleteSignatureException";
inline constexpr std::string_view kInvalidSignature = "InvalidSignatureException";
inline constexpr std::string_view kUnrecognizedClient = "UnrecognizedClientException";

// Who signed a verified request, and the scope they signed for.
struct Caller {
  std::string access_key_id;
  std::string region;
  std::string service;
};

struct Verdict {
  std::optional<Refusal> refusal;  // set: refused
  Caller caller;                   // when not refused
  bool ok() const { return !refusal; }
};

// SigV4's limit on clock skew: a signature dated more than 5 minutes from the server's clock
// is refused, as Kinesis and DynamoDB refuse it.
inline constexpr std::chrono::seconds kClockSkew = std::chrono::minutes(5);
// The longest a presigned request lives (X-Amz-Expires).
inline constexpr std::chrono::seconds kMaxExpires = std::chrono::hours(24 * 7);

// Verifies requests against a CredentialStore, as AWS does. What is checked, in order, and how
// each failure is answered, with AWS's messages (for what Kinesis and DynamoDB document no
// message for -- X-Amz-Expires, x-amz-content-sha256 -- S3's; for a presigned request past
// its X-Amz-Expires, the header form's words with the seconds in place of "5 min."):
//  1. Authorization header or X-Amz-Algorithm query parameter, not both (InvalidSignature
//     "Found both ..."), not neither (MissingAuthenticationToken "Missing Authentication Token").
//  2. Their parts: Credential, SignedHeaders, Signature and a date (X-Amz-Date, or a Date
//     header in basic format or as an HTTP date) for a header; X-Amz-Algorithm, -Credential,
//     -Signature, -SignedHeaders and -Date for a query; the algorithm AWS4-HMAC-SHA256; a date in
//     basic format; a credential of five parts; a whole number of seconds in X-Amz-Expires, at most
//     a week (IncompleteSignature).
//  3. The time: within 5 minutes of `now`, or for a presigned request from 5 minutes before
//     X-Amz-Date to X-Amz-Expires after it ("Signature expired: ...", "Signature not yet
//     current: ...", InvalidSignature).
//  4. The scope: its date the date's, its terminator aws4_request, its service `service`
//     when one is given (InvalidSignature, "Credential should be scoped ..."). Any region.
//  5. Host among the signed headers (InvalidSignature).
//  6. The access key is in the store, and the request's session token is that key's
//     (UnrecognizedClient "The security token included in the request is invalid.").
//  7. The signature, compared in constant time (InvalidSignature "The request signature we
//     calculated does not match ...", followed, as AWS does, by the canonical request and
//     the string to sign we expected; never a secret).
//  8. The body against x-amz-content-sha256 when that header is present: a hex digest must
//     be the body's; UNSIGNED-PAYLOAD is accepted for S3 only (InvalidSignature).
//
// No refusal holds a secret: secrets stay in the store, and derived keys in the cache.
//
// The signing key is the same for every request of a day, a key, a region and a service, so
// the last few derived are cached (in a mutex-guarded table of kCachedKeys): a typical request
// then costs a SHA-256 of its canonical request and an HMAC of its string to sign besides the
// body's SHA-256 -- under 2 µs for a Kinesis PutRecord (tests/bench/sigv4.sh).
class Verifier {
 public:
  explicit Verifier(CredentialStore store);
  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // `service`: the service the request is addressed to ("kinesis"), or empty for any.
  Verdict verify(const RequestView& request, SigningTime now, std::string_view service = {}) const;

  // Room for the signing keys of several services and regions across a change of day; a
  // request whose key is not cached derives it (four HMACs) and takes the oldest slot.
  static constexpr std::size_t kCachedKeys = 16;

 private:
  struct KeyCache;
  CredentialStore store_;
  std::unique_ptr<KeyCache> cache_;
};

}  // namespace millrace::aws
