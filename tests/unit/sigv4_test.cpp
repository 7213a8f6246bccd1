#include "aws/sigv4.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "aws/text.h"

using namespace millrace::aws;
using namespace std::chrono_literals;

namespace {

// AWS's test suite (aws-sig-v4-test-suite, as shipped in awslabs/aws-c-auth's
// tests/aws-signing-test-suite/v4): every vector signs at 20150830T123600Z for us-east-1 and the
// service "service" with this key pair.
const Credentials kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Scope kSuiteScope{"us-east-1", "service"};
const SigningTime kSuiteTime =
    std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 12h + 36min;
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// A request that owns its bytes, and the view of it that SigV4 takes.
struct TestRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "example.amazonaws.com"}};
  std::string body;
  std::vector<HeaderField> fields;

  RequestView view() {
    fields.clear();
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    return RequestView{method, path, query, fields, body, {}};
  }
  void set(const std::string& name, const std::string& value) {
    for (auto& header : headers)
      if (iequals(header.first, name)) {
        header.second = value;
        return;
      }
    headers.emplace_back(name, value);
  }
};

// One vector of the suite: the request before signing, and the signatures AWS published for
// it, signed in a header and presigned (X-Amz-Expires=3600).
struct SuiteVector {
  const char* name;
  TestRequest request;
  const char* signed_headers;
  const char* signature;
  const char* query_signature;  // nullptr: not checked
};

std::vector<SuiteVector> suite() {
  auto get = [](std::string path, std::string query = {}) {
    TestRequest r;
    r.path = std::move(path);
    r.query = std::move(query);
    return r;
  };
  TestRequest trim = get("/");
  trim.headers.push_back({"My-Header1", " value1"});
  trim.headers.push_back({"My-Header2", " \"a   b   c\""});
  TestRequest multiline = get("/");
  multiline.headers.push_back({"My-Header1", "value1\r\n  value2\r\n     value3"});
  TestRequest duplicate = get("/");
  for (const char* value : {"value2", "value2", "value1"})
    duplicate.headers.push_back({"My-Header1", value});
  TestRequest form = get("/");
  form.method = "POST";
  form.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                  {"Host", "example.amazonaws.com"},
                  {"Content-Length", "13"}};
  form.body = "Param1=value1";
  TestRequest post = get("/");
  post.method = "POST";
  return {
      {"get-vanilla", get("/"), "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
       "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
      {"get-vanilla-query-order-key-case", get("/", "Param2=value2&Param1=value1"),
       "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
       "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5"},
      {"get-vanilla-query-order-encoded", get("/", "Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
       "host;x-amz-date", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
       nullptr},
      {"get-vanilla-utf8-query", get("/", "\xE1\x88\xB4=bar"), "host;x-amz-date",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
       "0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600"},
      {"get-utf8", get("/\xE1\x88\xB4"), "host;x-amz-date",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
       "10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44"},
      {"get-space-normalized", get("/example space/"), "host;x-amz-date",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
       "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6"},
      {"get-slashes-normalized", get("//example//"), "host;x-amz-date",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
       "c1834e8fb0307243711f0f907f6ab7311ed300d87f13792d7ee4da89ab93e082"},
      {"get-relative-relative-normalized", get("/example1/example2/../.."), "host;x-amz-date",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
       "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
      {"get-slash-pointless-dot-normalized", get("/./example"), "host;x-amz-date",
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
       "35034b1a0bdd969f346975386daf8aedfd4976573b8348cf4f67eaa41c5857de"},
      {"get-header-value-trim", trim, "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
       "e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4"},
      {"get-header-value-multiline", multiline, "host;my-header1;x-amz-date",
       "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd",
       "e6f5def831211aca02987a44b96826706278c7bc078112ae0263659c5b2f2d56"},
      {"get-header-key-duplicate", duplicate, "host;my-header1;x-amz-date",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
       "3349ee0b81b4b589da0ff28a395c3591e04de515651dd74f298fa992d1507a97"},
      {"post-vanilla", post, "host;x-amz-date",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
       "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b"},
      // Signed with its body's hash in x-amz-content-sha256; presigned without that header.
      {"post-x-www-form-urlencoded", form,
       "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
       "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
       "89a40deed0f26f9461242825a082d2222717248abc7ab41f552ad84a94ad46e9"},
  };
}

constexpr std::string_view kFormBodySha256 =
    "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";

std::string suite_authorization(const SuiteVector& v) {
  return std::string(
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=") +
         v.signed_headers + ", Signature=" + v.signature;
}

// The request of `v` as it is sent, signed in a header.
TestRequest signed_in_header(const SuiteVector& v) {
  TestRequest r = v.request;
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  if (std::string_view(v.name) == "post-x-www-form-urlencoded")
    r.headers.push_back({"x-amz-content-sha256", std::string(kFormBodySha256)});
  r.headers.push_back({"Authorization", suite_authorization(v)});
  return r;
}

// The message of a refused verdict, for a failing check to show.
std::string why(const Verdict& verdict) {
  return verdict.refusal ? verdict.refusal->message : "accepted";
}

Verifier suite_verifier() {
  return Verifier(CredentialStore({Profile{"default", 1, kSuiteKey}}, "test"));
}

std::string query_value(std::string_view query, std::string_view name) {
  return query_parameter(query, name).value_or("(none)");
}

}  // namespace

TEST_CASE("the signing key of AWS's example derivation (20120215, us-east-1, iam)") {
  // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
  Digest key = signing_key(kSuiteKey.secret_access_key, "20120215", {"us-east-1", "iam"});
  CHECK(to_hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("get-vanilla's canonical request, string to sign and signature, step by step") {
  TestRequest r = suite().front().request;
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  std::vector<std::string_view> names{"host", "x-amz-date"};
  std::string canonical =
      canonical_request(r.view(), names, kEmptySha256, PathRule::normalize_and_encode);
  CHECK(canonical ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            std::string(kEmptySha256));
  std::string to_sign = string_to_sign("20150830T123600Z", kSuiteScope, canonical);
  CHECK(to_sign ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  HmacKey key(signing_key(kSuiteKey.secret_access_key, "20150830", kSuiteScope));
  CHECK(signature(key, to_sign) ==
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE(
    "canonical requests follow the suite: sorted encoded query, trimmed and joined header values") {
  auto canonical_of = [](const char* name, std::vector<std::string_view> names) {
    for (SuiteVector& v : suite())
      if (std::string_view(v.name) == name) {
        TestRequest r = v.request;
        return canonical_request(r.view(), names, kEmptySha256, PathRule::normalize_and_encode);
      }
    FAIL("no vector ", name);
    return std::string();
  };
  std::vector<std::string_view> host{"host"};
  std::string tail = "host:example.amazonaws.com\n\nhost\n" + std::string(kEmptySha256);
  CHECK(canonical_of("get-vanilla-query-order-key-case", host) ==
        "GET\n/\nParam1=value1&Param2=value2\n" + tail);
  CHECK(canonical_of("get-vanilla-query-order-encoded", host) ==
        "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n" + tail);
  CHECK(canonical_of("get-vanilla-utf8-query", host) == "GET\n/\n%E1%88%B4=bar\n" + tail);
  CHECK(canonical_of("get-utf8", host) == "GET\n/%E1%88%B4\n\n" + tail);
  CHECK(canonical_of("get-space-normalized", host) == "GET\n/example%20space/\n\n" + tail);
  CHECK(canonical_of("get-slashes-normalized", host) == "GET\n/example/\n\n" + tail);
  CHECK(canonical_of("get-header-value-trim", {"my-header1", "my-header2"}) ==
        "GET\n/\n\nmy-header1:value1\nmy-header2:\"a b c\"\n\nmy-header1;my-header2\n" +
            std::string(kEmptySha256));
  CHECK(canonical_of("get-header-value-multiline", {"my-header1"}) ==
        "GET\n/\n\nmy-header1:value1 value2 value3\n\nmy-header1\n" + std::string(kEmptySha256));
  CHECK(canonical_of("get-header-key-duplicate", {"my-header1"}) ==
        "GET\n/\n\nmy-header1:value2,value2,value1\n\nmy-header1\n" + std::string(kEmptySha256));
}

TEST_CASE(
    "query values: repeats sort by value, a name without '=' signs as 'name=', X-Amz-Signature can "
    "be left out") {
  TestRequest r;
  r.query = "b=2&a=z&a=&a=y&c&%7e=~&X-Amz-Signature=abc&d=a%2Bb+c";
  std::vector<std::string_view> none;
  std::string canonical;
  canonical_request(r.view(), none, "-", PathRule::normalize_and_encode, canonical,
                    "X-Amz-Signature");
  CHECK(canonical == "GET\n/\na=&a=y&a=z&b=2&c=&d=a%2Bb%2Bc&~=~\n\n\n-");
}

TEST_CASE("the path is encoded once more for every service but S3, which signs it as sent") {
  TestRequest r;
  r.path = "/a%20b/./c~d//e:f";
  std::vector<std::string_view> none;
  CHECK(canonical_request(r.view(), none, "-", path_rule("kinesis")) ==
        "GET\n/a%2520b/c~d/e%3Af\n\n\n\n-");
  CHECK(canonical_request(r.view(), none, "-", path_rule("s3")) ==
        "GET\n/a%20b/./c~d//e:f\n\n\n\n-");
  CHECK(uri_encode("photos/a b+\xE1\x88\xB4~.jpg", true) == "photos/a%20b%2B%E1%88%B4~.jpg");
  CHECK(uri_encode("a/b", false) == "a%2Fb");
}

TEST_CASE("sign() gives the suite's Authorization headers") {
  for (SuiteVector& v : suite()) {
    CAPTURE(v.name);
    TestRequest r = v.request;
    if (std::string_view(v.name) == "post-x-www-form-urlencoded")
      r.headers.push_back({"X-Amz-Content-SHA256", std::string(kFormBodySha256)});
    Signed s = sign(r.view(), kSuiteKey, kSuiteScope, kSuiteTime);
    CHECK(s.authorization == suite_authorization(v));
    REQUIRE(s.headers.size() == 1);
    CHECK(s.headers[0].name == "X-Amz-Date");
    CHECK(s.headers[0].value == "20150830T123600Z");
  }
}

TEST_CASE("presign() gives the suite's presigned signatures") {
  for (SuiteVector& v : suite()) {
    if (v.query_signature == nullptr) continue;
    CAPTURE(v.name);
    TestRequest r = v.request;
    std::string query = presign(r.view(), kSuiteKey, kSuiteScope, kSuiteTime, 3600s);
    CHECK(query_value(query, "X-Amz-Signature") == v.query_signature);
    CHECK(query_value(query, "X-Amz-Credential") ==
          "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request");
    CHECK(query_value(query, "X-Amz-Expires") == "3600");
  }
}

TEST_CASE("a session token is signed as x-amz-security-token (get-vanilla-with-session-token)") {
  Credentials key = kSuiteKey;
  key.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  TestRequest r;
  Signed s = sign(r.view(), key, kSuiteScope, kSuiteTime);
  CHECK(s.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
  std::string query = presign(r.view(), key, kSuiteScope, kSuiteTime, 3600s);
  CHECK(query_value(query, "X-Amz-Signature") ==
        "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c");

  Verifier verifier(CredentialStore({Profile{"sts", 1, key}}, "test"));
  for (auto& [name, value] : s.headers) r.headers.emplace_back(name, value);
  r.headers.emplace_back("Authorization", s.authorization);
  CHECK(verifier.verify(r.view(), kSuiteTime).ok());
  TestRequest presigned;
  presigned.query = query;
  CHECK(verifier.verify(presigned.view(), kSuiteTime).ok());
}

TEST_CASE("the verifier accepts the suite's requests, signed in a header or presigned") {
  Verifier verifier = suite_verifier();
  for (SuiteVector& v : suite()) {
    CAPTURE(v.name);
    TestRequest r = signed_in_header(v);
    Verdict verdict = verifier.verify(r.view(), kSuiteTime);
    CHECK_MESSAGE(verdict.ok(), why(verdict));
    CHECK(verdict.caller.access_key_id == "AKIDEXAMPLE");
    CHECK(verdict.caller.region == "us-east-1");
    CHECK(verdict.caller.service == "service");
    if (v.query_signature == nullptr) continue;
    // The parameters in the order of the suite's query-signed-request.txt.
    TestRequest q = v.request;
    std::string signed_names = v.signed_headers;
    signed_names = signed_names.substr(0, signed_names.rfind(';'));  // no x-amz-date header
    if (signed_names.find("x-amz-content-sha256") != std::string::npos)
      signed_names = signed_names.substr(0, signed_names.rfind(';'));
    q.query += std::string(q.query.empty() ? "" : "&") +
               "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-"
               "1%2Fservice%2F"
               "aws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=" +
               uri_encode(signed_names, false) +
               "&X-Amz-Expires=3600&X-Amz-Signature=" + v.query_signature;
    Verdict presigned = verifier.verify(q.view(), kSuiteTime);
    CHECK_MESSAGE(presigned.ok(), why(presigned));
  }
}

TEST_CASE("an unsigned session token header is still checked (post-sts-header-after)") {
  const std::string token =
      "AQoDYXdzEPT//////////"
      "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
      "wthAx7mSEI/qkPpKPi/"
      "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQ"
      "cHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
      "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
      "oLxBA==";
  Credentials key = kSuiteKey;
  key.session_token = token;
  Verifier verifier(CredentialStore({Profile{"sts", 1, key}}, "test"));
  TestRequest r;
  r.method = "POST";
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  r.headers.push_back({"X-Amz-Security-Token", token});
  r.headers.push_back(
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=host;x-amz-date, "
       "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"});
  CHECK(verifier.verify(r.view(), kSuiteTime).ok());
  r.set("X-Amz-Security-Token", token.substr(1));
  Verdict wrong = verifier.verify(r.view(), kSuiteTime);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.refusal->type == kUnrecognizedClient);
  CHECK(wrong.refusal->message == "The security token included in the request is invalid.");
}

TEST_CASE("S3: AWS's GET Object example, signed in a header and presigned") {
  // Amazon S3 API Reference, "Signature Calculations for the Authorization Header" and
  // "Authenticating Requests: Using Query Parameters".
  Credentials key{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  Scope scope{"us-east-1", "s3"};
  SigningTime time = std::chrono::sys_days{std::chrono::year{2013} / 5 / 24};
  TestRequest r;
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  Signed s = sign(r.view(), key, scope, time);
  CHECK(s.authorization ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  TestRequest unranged;
  unranged.path = "/test.txt";
  unranged.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  std::string query = presign(unranged.view(), key, scope, time, 86400s);
  CHECK(query_value(query, "X-Amz-Signature") ==
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");

  Verifier verifier(CredentialStore({Profile{"s3", 1, key}}, "test"));
  for (auto& [name, value] : s.headers) r.headers.emplace_back(name, value);
  r.headers.emplace_back("Authorization", s.authorization);
  CHECK(verifier.verify(r.view(), time).ok());
  unranged.query = query;
  CHECK(verifier.verify(unranged.view(), time + 86400s).ok());  // the last second it lives
}

TEST_CASE(
    "requests botocore signed: a Kinesis PutRecord, and a Date header in place of X-Amz-Date") {
  // Signed by botocore 1.29.27 (SigV4Auth) at 20150830T123600Z with the suite's key.
  Verifier verifier = suite_verifier();
  TestRequest put;
  put.method = "POST";
  put.headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"X-Amz-Target", "Kinesis_20131202.PutRecord"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Date", "20150830T123600Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=035534c0c0a2253c5c2cfbd91bcb8617530ab43258b59565a22a1176590bb053"}};
  put.body = R"({"StreamName":"rides","Data":"eyJhIjoxfQ==","PartitionKey":"Shadowfax"})";
  Verdict verdict = verifier.verify(put.view(), kSuiteTime, "kinesis");
  CHECK_MESSAGE(verdict.ok(), why(verdict));
  CHECK(verdict.caller.service == "kinesis");
  put.body.back() = ']';
  CHECK_FALSE(verifier.verify(put.view(), kSuiteTime, "kinesis").ok());

  TestRequest dated;
  dated.headers = {
      {"Host", "example.amazonaws.com"},
      {"Date", "Sun, 30 Aug 2015 12:36:00 -0000"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
       "SignedHeaders=date;host, "
       "Signature=7680771e48fa28c7db272da980f990fa8ee39dee61905c4203f5da9d3d48ac86"}};
  CHECK(verifier.verify(dated.view(), kSuiteTime).ok());
}

TEST_CASE("refusals carry AWS's types and messages") {
  Verifier verifier = suite_verifier();
  SuiteVector vanilla = suite().front();
  auto refusal = [&](TestRequest r, SigningTime now = kSuiteTime, std::string_view service = {}) {
    Verdict verdict = verifier.verify(r.view(), now, service);
    REQUIRE_FALSE(verdict.ok());
    CHECK(verdict.refusal->message.find(kSuiteKey.secret_access_key) == std::string::npos);
    return *verdict.refusal;
  };
  auto with = [&](const char* header, std::string value) {
    TestRequest r = signed_in_header(vanilla);
    r.set(header, std::move(value));
    return r;
  };

  Refusal none = refusal(vanilla.request);
  CHECK(none.type == kMissingAuthenticationToken);
  CHECK(none.message == "Missing Authentication Token");

  // kinesalite's record of what Kinesis answers.
  TestRequest bare = vanilla.request;
  bare.headers.push_back({"Authorization", "X"});
  Refusal incomplete = refusal(bare);
  CHECK(incomplete.type == kIncompleteSignature);
  CHECK(incomplete.message ==
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
        "existence of "
        "either a 'X-Amz-Date' or a 'Date' header. Authorization=X");
  bare.set("Authorization", "AWS4- Signature=b, Credential=a");
  bare.set("Date", "a");
  CHECK(refusal(bare).message ==
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, "
        "Credential=a");

  TestRequest both = signed_in_header(vanilla);
  both.query = "X-Amz-Algorithm";
  Refusal found_both = refusal(both);
  CHECK(found_both.type == kInvalidSignature);
  CHECK(found_both.message ==
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");

  TestRequest empty_query = vanilla.request;
  empty_query.query = "X-Amz-Algorithm";
  CHECK(refusal(empty_query).message ==
        "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters "
        "must include "
        "'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS "
        "query-string "
        "parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include "
        "'X-Amz-Date'. "
        "Re-examine the query-string parameters.");

  std::string authorization = suite_authorization(vanilla);
  std::string other_algorithm = authorization;
  other_algorithm.replace(other_algorithm.find("SHA256"), 6, "SHA512");
  CHECK(refusal(with("Authorization", other_algorithm)).message ==
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");

  Refusal bad_date = refusal(with("X-Amz-Date", "2015-08-30T12:36:00Z"));
  CHECK(bad_date.type == kIncompleteSignature);
  CHECK(bad_date.message ==
        "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See "
        "http://en.wikipedia.org/wiki/ISO_8601");

  std::string four_parts = authorization;
  four_parts.replace(four_parts.find("/service"), 8, "");
  CHECK(refusal(with("Authorization", four_parts)).message ==
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got "
        "'AKIDEXAMPLE/20150830/us-east-1/aws4_request'");

  Refusal expired = refusal(signed_in_header(vanilla), kSuiteTime + 5min + 1s);
  CHECK(expired.type == kInvalidSignature);
  CHECK(expired.message ==
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
        "(20150830T124101Z - 5 min.)");
  CHECK(verifier.verify(signed_in_header(vanilla).view(), kSuiteTime + 5min).ok());
  CHECK(verifier.verify(signed_in_header(vanilla).view(), kSuiteTime - 5min).ok());
  CHECK(refusal(signed_in_header(vanilla), kSuiteTime - 5min - 1s).message ==
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
        "(20150830T123059Z + 5 min.)");

  CHECK(refusal(signed_in_header(vanilla), kSuiteTime, "kinesis").message ==
        "Credential should be scoped to correct service: 'kinesis'. ");
  std::string other_day = authorization;
  other_day.replace(other_day.find("20150830"), 8, "20150831");
  std::string other_terminator = authorization;
  other_terminator.replace(other_terminator.find("aws4_request"), 12, "aws5_request");
  CHECK(refusal(with("Authorization", other_day)).message ==
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
        "'20150831' != "
        "'20150830', from '20150830T123600Z'. ");
  CHECK(
      refusal(with("Authorization", other_terminator)).message ==
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ");

  std::string hostless = authorization;
  hostless.replace(hostless.find("host;"), 5, "");
  Refusal no_host = refusal(with("Authorization", hostless));
  CHECK(no_host.type == kInvalidSignature);
  CHECK(no_host.message ==
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  std::string stranger = authorization;
  stranger.replace(stranger.find("AKIDEXAMPLE"), 11, "AKIDSTRANGER");
  Refusal unknown = refusal(with("Authorization", stranger));
  CHECK(unknown.type == kUnrecognizedClient);
  CHECK(unknown.message == "The security token included in the request is invalid.");
  CHECK(refusal(with("X-Amz-Security-Token", "a-token-the-key-does-not-have")).type ==
        kUnrecognizedClient);

  std::string wrong = authorization;
  wrong.back() = wrong.back() == '1' ? '2' : '1';
  Refusal mismatch = refusal(with("Authorization", wrong));
  CHECK(mismatch.type == kInvalidSignature);
  CHECK(mismatch.message ==
        "The request signature we calculated does not match the signature you provided. Check your "
        "AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.\n\nThe "
        "Canonical String for "
        "this request should have "
        "been\n'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\nThe "
        "String-to-Sign "
        "should have "
        "been\n'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'\n");
}

TEST_CASE("a body is checked against a signed x-amz-content-sha256") {
  Verifier verifier = suite_verifier();
  SuiteVector form;
  for (SuiteVector& v : suite())
    if (std::string_view(v.name) == "post-x-www-form-urlencoded") form = v;
  TestRequest r = signed_in_header(form);
  REQUIRE(verifier.verify(r.view(), kSuiteTime).ok());
  r.body = "Param1=value2";
  Verdict tampered = verifier.verify(r.view(), kSuiteTime);
  REQUIRE_FALSE(tampered.ok());
  CHECK(tampered.refusal->type == kInvalidSignature);
  CHECK(tampered.refusal->message ==
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  // A caller that hashed the body already passes the hash instead of having it computed again.
  RequestView view = r.view();
  view.body_sha256 = kFormBodySha256;
  CHECK(verifier.verify(view, kSuiteTime).ok());
}

TEST_CASE("a presigned request lives X-Amz-Expires seconds, at most a week") {
  Verifier verifier = suite_verifier();
  TestRequest r;
  r.query = presign(r.view(), kSuiteKey, kSuiteScope, kSuiteTime, 3600s);
  CHECK(verifier.verify(r.view(), kSuiteTime + 3600s).ok());
  Verdict late = verifier.verify(r.view(), kSuiteTime + 3601s);
  REQUIRE_FALSE(late.ok());
  CHECK(late.refusal->message ==
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
        "(20150830T133601Z - 3600 sec.)");
  Verdict early = verifier.verify(r.view(), kSuiteTime - 5min - 1s);
  REQUIRE_FALSE(early.ok());
  CHECK(early.refusal->message.starts_with("Signature not yet current: 20150830T123600Z"));
  std::string too_long = r.query;
  too_long.replace(too_long.find("X-Amz-Expires=3600"), 18, "X-Amz-Expires=604801");
  TestRequest week = r;
  week.query = too_long;
  Verdict refused = verifier.verify(week.view(), kSuiteTime);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.refusal->type == kIncompleteSignature);
  CHECK(refused.refusal->message ==
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
        "must be less than 604800 seconds");
  auto expires_refusal = [&](const char* value) {
    TestRequest other = r;
    other.query.replace(other.query.find("X-Amz-Expires=3600"), 18,
                        std::string("X-Amz-Expires=") + value);
    Verdict verdict = verifier.verify(other.view(), kSuiteTime);
    return verdict.ok() ? std::string("accepted") : verdict.refusal->message;
  };
  CHECK(expires_refusal("99999999999").starts_with("X-Amz-Expires must be less than a week"));
  CHECK(expires_refusal("-5") == "X-Amz-Expires must be non-negative");
  CHECK(expires_refusal("5m") == "X-Amz-Expires should be a number");
}

TEST_CASE(
    "signing keys of many days, regions and services: past the cache, every request still "
    "verifies") {
  Verifier verifier = suite_verifier();
  for (int round = 0; round < 2; ++round)
    for (int day = 0; day < int(Verifier::kCachedKeys) + 3; ++day) {
      SigningTime time = kSuiteTime + std::chrono::days(day);
      std::string region = day % 2 ? "eu-west-1" : "us-east-1";
      TestRequest r;
      Signed s = sign(r.view(), kSuiteKey, {region, "kinesis"}, time);
      for (auto& [name, value] : s.headers) r.headers.emplace_back(name, value);
      r.headers.emplace_back("Authorization", s.authorization);
      CHECK(verifier.verify(r.view(), time).ok());
    }
}

TEST_CASE("SigV4 times are basic ISO 8601, and only valid ones parse") {
  CHECK(format_amz_date(kSuiteTime) == "20150830T123600Z");
  CHECK(parse_amz_date("20150830T123600Z") == kSuiteTime);
  CHECK(parse_amz_date("20240229T235959Z").has_value());
  for (const char* bad :
       {"20150230T123600Z", "20150830T243600Z", "20150830T123660Z", "20150830 123600Z",
        "20150830T123600", "2015083T123600Z", "+0150830T123600Z", ""})
    CHECK_FALSE(parse_amz_date(bad).has_value());
}
