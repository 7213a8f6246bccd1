// Fuzz target: gw-serve's check of Signature Version 4 (aws::Verifier::verify), which reads
// every header, the query and the body of a request before anything else does.
//
// Input, as text:
//   SERVICE                  the service the request is verified for ("kinesis"; empty: any)
//   METHOD TARGET            TARGET is the path and, after '?', the query, as on the wire
//   NAME:VALUE               header fields, VALUE verbatim after the first ':', until an
//   ...                      empty line
//                            (the empty line)
//   BODY                     the rest, bytes
// The server's clock is 2026-11-23T10:00:00Z, and the keys are those of
// tests/tools/sigv4_botocore.py (AKIDEXAMPLE, one with a session token, another): the seeds,
// requests signed by botocore at that time with those keys (make_sigv4_corpus.py), are
// accepted, and the fuzzer mutates them into every refusal.
//
// Checks, besides the sanitizers':
//   - a refusal is one of AWS's four types, and its message holds no secret of the store that
//     the request does not hold;
//   - the verdict is the same when asked again (the second time from the cache of keys);
//   - a request accepted for its service is accepted for any service, by a key of the store;
//   - a request accepted for a service other than S3 is refused once a byte is added to its
//     body: the signature covers the body.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "fuzz.h"

using namespace millrace;
using fuzz::require;

namespace {

constexpr std::string_view kCredentials = R"([default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
[sts]
aws_access_key_id = ASIAEXAMPLETEMPORARY
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
aws_session_token = AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoI
[other]
aws_access_key_id = AKIAOTHEREXAMPLE
aws_secret_access_key = 9drTJvcXLB89EXAMPLEKEY/bPxRfiCYEXAMPLEKEY
)";

const std::vector<aws::Profile>& profiles() {
  static const std::vector<aws::Profile> parsed = aws::parse_credentials_file(kCredentials, "fuzz");
  return parsed;
}

const aws::CredentialStore& keys() {
  static const aws::CredentialStore store(profiles(), "fuzz");
  return store;
}

// Cuts the next line off `text` (without its '\n'); nullopt when none is left.
std::optional<std::string_view> next_line(std::string_view& text) {
  if (text.empty()) return std::nullopt;
  std::size_t newline = text.find('\n');
  std::string_view line = text.substr(0, newline);
  text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  return line;
}

bool same(const aws::Verdict& a, const aws::Verdict& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok())
    return a.refusal->type == b.refusal->type && a.refusal->message == b.refusal->message;
  return a.caller.access_key_id == b.caller.access_key_id && a.caller.region == b.caller.region &&
         a.caller.service == b.caller.service;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aws::Verifier verifier(keys());
  static const aws::SigningTime now = *aws::parse_amz_date("20261123T100000Z");

  std::string_view text = fuzz::as_text(data, size);
  std::string_view service = next_line(text).value_or("");
  std::string_view request_line = next_line(text).value_or("");
  std::size_t space = request_line.find(' ');
  std::string_view method = request_line.substr(0, space);
  std::string_view target =
      space == std::string_view::npos ? std::string_view{} : request_line.substr(space + 1);
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  std::vector<aws::HeaderField> headers;
  while (auto line = next_line(text)) {
    if (line->empty()) break;
    std::size_t colon = line->find(':');
    if (colon == std::string_view::npos) {
      headers.push_back({*line, {}});
    } else {
      headers.push_back({line->substr(0, colon), line->substr(colon + 1)});
    }
  }
  std::string_view body = text;
  aws::RequestView request{method, path, query, headers, body, {}};

  aws::Verdict verdict = verifier.verify(request, now, service);
  require(same(verdict, verifier.verify(request, now, service)),
          "the same verdict when asked again");
  if (!verdict.ok()) {
    std::string_view type = verdict.refusal->type;
    require(type == aws::kMissingAuthenticationToken || type == aws::kIncompleteSignature ||
                type == aws::kInvalidSignature || type == aws::kUnrecognizedClient,
            "a refusal of one of AWS's types");
    // (A refusal may quote the request: a secret the request itself holds is not given away.)
    std::string_view input = fuzz::as_text(data, size);
    for (const aws::Profile& profile : profiles()) {
      const std::string& secret = profile.credentials.secret_access_key;
      require(verdict.refusal->message.find(secret) == std::string::npos ||
                  input.find(secret) != std::string_view::npos,
              "no secret in a refusal");
    }
    return 0;
  }
  require(verifier.verify(request, now).ok(), "accepted for its service, accepted for any");
  require(keys().find(verdict.caller.access_key_id) != nullptr, "accepted by a key of the store");
  if (!service.empty() && !aws::is_s3(service)) {
    std::string longer(body);
    longer += '!';
    aws::RequestView changed = request;
    changed.body = longer;
    require(!verifier.verify(changed, now, service).ok(),
            "a body changed after signing is refused");
  }
  return 0;
}
