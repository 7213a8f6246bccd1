#include "aws/credentials.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "cli/error.h"
#include "scoped_env.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::aws;

namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// The cli::Error that parsing `text` throws; fails the test if it throws none.
cli::Error parse_error(const std::string& text) {
  try {
    parse_credentials_file(text, "creds");
  } catch (const cli::Error& error) {
    CHECK(error.status() == cli::Exit::usage);
    CHECK(std::string(error.what()).find(kSecret) == std::string::npos);
    return error;
  }
  FAIL("no error for: ", text);
  return cli::Error(cli::Exit::ok, "", "");
}

}  // namespace

TEST_CASE("profiles are read as the aws CLI reads them") {
  std::string text =
      "# a comment\n"
      "; another\n"
      "[default]\n"
      "aws_access_key_id = AKIDEXAMPLE\n"
      "AWS_Secret_Access_Key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY  \r\n"
      "region = us-east-1\n"
      "\n"
      "[ci]\n"
      "aws_access_key_id: ASIAEXAMPLE\n"
      "aws_secret_access_key :  s3cr#t;part\n"
      "aws_session_token = token=with=equals\n"
      "    # an indented comment\n"
      "[role]\n"
      "role_arn = arn:aws:iam::123456789012:role/reader\n"
      "s3 =\n"
      "    max_concurrent_requests = 20\n";
  std::vector<Profile> profiles = parse_credentials_file(text, "creds");
  REQUIRE(profiles.size() == 3);
  CHECK(profiles[0].name == "default");
  CHECK(profiles[0].line == 3);
  CHECK(profiles[0].credentials.access_key_id == "AKIDEXAMPLE");
  CHECK(profiles[0].credentials.secret_access_key == kSecret);
  CHECK(profiles[0].credentials.session_token.empty());
  CHECK(profiles[1].name == "ci");
  CHECK(profiles[1].credentials.access_key_id == "ASIAEXAMPLE");
  CHECK(profiles[1].credentials.secret_access_key == "s3cr#t;part");  // no inline comments
  CHECK(profiles[1].credentials.session_token == "token=with=equals");
  CHECK(profiles[2].credentials.access_key_id.empty());
  REQUIRE(find_profile(profiles, "ci") != nullptr);
  CHECK(find_profile(profiles, "ci")->line == 8);
  CHECK(find_profile(profiles, "nobody") == nullptr);
}

TEST_CASE("configparser's [DEFAULT] section gives its keys to every profile that lacks them") {
  auto profiles = parse_credentials_file(
      "[DEFAULT]\naws_secret_access_key = shared\n[a]\naws_access_key_id = A\n"
      "[b]\naws_access_key_id = B\naws_secret_access_key = own\n",
      "creds");
  REQUIRE(profiles.size() == 2);
  CHECK(profiles[0].credentials.secret_access_key == "shared");
  CHECK(profiles[1].credentials.secret_access_key == "own");
}

TEST_CASE("bad lines are named by file and line, and never quote a secret") {
  cli::Error before = parse_error("aws_access_key_id = A\n[default]\n");
  CHECK(before.where() == "creds:1");
  CHECK(std::string(before.what()) == "'aws_access_key_id' before any [profile] line");

  cli::Error pasted =
      parse_error(std::string("[default]\naws_access_key_id = A\n") + kSecret + "\n");
  CHECK(pasted.where() == "creds:3");
  CHECK(std::string(pasted.what()) == "not a 'key = value' line");

  cli::Error twice = parse_error("[a]\n[b]\n[a]\n");
  CHECK(twice.where() == "creds:3");
  CHECK(std::string(twice.what()) == "profile 'a' is given twice (first on line 1)");

  cli::Error key_twice = parse_error("[a]\naws_access_key_id = A\nAWS_ACCESS_KEY_ID = B\n");
  CHECK(key_twice.where() == "creds:3");
  CHECK(std::string(key_twice.what()) ==
        "'aws_access_key_id' is given twice in profile 'a' (first on line 2)");

  CHECK(std::string(parse_error("[a]\n= value\n").what()) == "no key before '='");
  // A session token, base64 with its padding, pasted alone: the part before '=' is not quoted.
  const std::string token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQ==";
  cli::Error pasted_token = parse_error(token + "\n[a]\n");
  CHECK(std::string(pasted_token.what()) == "a key before any [profile] line");
  CHECK(std::string(parse_error("[a]\nregion = x\nRegion = y\n").what()) ==
        "a key is given twice in profile 'a' (first on line 2)");
  CHECK(std::string(parse_error("[a\n").what()) == "a profile line is '[name]'");
  CHECK(std::string(parse_error("[a]\naws_access_key_id =\n").what()) ==
        "'aws_access_key_id' is empty");
  cli::Error continued =
      parse_error(std::string("[a]\naws_secret_access_key = x\n  ") + kSecret + "\n");
  CHECK(continued.where() == "creds:3");
  CHECK(std::string(continued.what()) == "'aws_secret_access_key' continues onto an indented line");

  cli::Error half = parse_error("[a]\n[b]\naws_access_key_id = B\n");
  CHECK(half.where() == "creds:2");
  CHECK(std::string(half.what()) == "profile 'b' has no aws_secret_access_key");
  CHECK(std::string(
            parse_error(std::string("[c]\naws_secret_access_key = ") + kSecret + "\n").what()) ==
        "profile 'c' has no aws_access_key_id");
}

TEST_CASE("a credential store finds each profile's key pair by access key id") {
  auto profiles = parse_credentials_file(
      "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = sa\n"
      "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = sb\naws_session_token = tb\n"
      "[alias]\naws_access_key_id = AKIDA\naws_secret_access_key = sa\n"
      "[role]\nrole_arn = arn:aws:iam::123456789012:role/reader\n",
      "creds");
  CredentialStore store(profiles, "creds");
  CHECK(store.size() == 2);
  REQUIRE(store.find("AKIDB") != nullptr);
  CHECK(store.find("AKIDB")->secret_access_key == "sb");
  CHECK(store.find("AKIDB")->session_token == "tb");
  CHECK(store.find("AKIDA")->secret_access_key == "sa");
  CHECK(store.find("AKID") == nullptr);
  CHECK(store.find("") == nullptr);
}

TEST_CASE("a credential store refuses a key id with two secrets, and a file without keys") {
  auto conflicting = parse_credentials_file(
      "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = one\n"
      "[b]\naws_access_key_id = AKIDA\naws_secret_access_key = two\n",
      "creds");
  try {
    CredentialStore store(conflicting, "creds");
    FAIL("no error");
  } catch (const cli::Error& error) {
    CHECK(error.status() == cli::Exit::usage);
    CHECK(error.where() == "creds:4");
    CHECK(std::string(error.what()) ==
          "profile 'b' gives access key AKIDA other credentials than profile 'a'");
  }
  CHECK_THROWS_AS(
      CredentialStore(parse_credentials_file("[role]\nregion = us-east-1\n", "creds"), "creds"),
      cli::Error);
}

TEST_CASE("a credentials file that cannot be read ends with no_input, naming it") {
  test::TempDir dir;
  try {
    read_credentials_file((dir / "missing").string());
    FAIL("no error");
  } catch (const cli::Error& error) {
    CHECK(error.status() == cli::Exit::no_input);
    CHECK(error.where() == (dir / "missing").string());
  }
  std::string path =
      dir.write("credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = s\n");
  CHECK(CredentialStore::from_file(path).find("A") != nullptr);
}

TEST_CASE("the client's credentials: the environment, then AWS_PROFILE's profile of the file") {
  test::TempDir dir;
  std::ofstream(dir / "credentials") << "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
                                        "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = c\n"
                                        "aws_session_token = t\n[role]\nrole_arn = arn:aws:iam::1:role/x\n";
  std::string file = (dir / "credentials").string();
  test::ScopedEnv path("AWS_SHARED_CREDENTIALS_FILE", file.c_str()), profile("AWS_PROFILE", nullptr);
  test::ScopedEnv key("AWS_ACCESS_KEY_ID", nullptr), secret("AWS_SECRET_ACCESS_KEY", nullptr),
      token("AWS_SESSION_TOKEN", nullptr);
  auto found = client_credentials();
  REQUIRE(found);
  CHECK(found->access_key_id == "AKIDDEFAULT");
  {
    test::ScopedEnv ci("AWS_PROFILE", "ci");
    found = client_credentials();
    REQUIRE(found);
    CHECK(found->access_key_id == "AKIDCI");
    CHECK(found->session_token == "t");
  }
  {
    test::ScopedEnv role("AWS_PROFILE", "role");
    CHECK_FALSE(client_credentials());
  }
  {
    test::ScopedEnv missing("AWS_PROFILE", "missing");
    CHECK_THROWS_AS(client_credentials(), cli::Error);
  }
  {
    test::ScopedEnv env_key("AWS_ACCESS_KEY_ID", "AKIDENV"), env_secret("AWS_SECRET_ACCESS_KEY", "e");
    found = client_credentials();
    REQUIRE(found);
    CHECK(found->access_key_id == "AKIDENV");
    CHECK(found->session_token.empty());
  }
  {
    test::ScopedEnv half("AWS_ACCESS_KEY_ID", "AKIDENV");
    try {
      client_credentials();
      FAIL("half a key pair was taken");
    } catch (const cli::Error& e) {
      CHECK(e.status() == cli::Exit::usage);
    }
  }
  test::ScopedEnv nowhere("AWS_SHARED_CREDENTIALS_FILE", (dir / "absent").string().c_str());
  CHECK_FALSE(client_credentials());
}
