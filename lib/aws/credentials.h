// The AWS credentials file (~/.aws/credentials), read as the aws CLI reads it.
//
//   # comments are whole lines starting with # or ;
//   [default]
//   aws_access_key_id = AKIDEXAMPLE
//   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//   [ci]
//   aws_access_key_id: ASIAEXAMPLE
//   aws_secret_access_key: ...
//   aws_session_token: ...
//
// INI as Python's configparser (botocore's reader) takes it: `[name]` starts a profile (the
// name verbatim); `key = value` or `key: value` with the key case-insensitive and both sides
// trimmed; a `#` or `;` later on a line is part of the value; an indented line continues the
// value above it. Keys other than the three above (region, role_arn...) are read and ignored.
//
// Two uses: gw-serve's verifier takes every profile's key pair (CredentialStore); the AWS client
// takes one profile (find_profile).
//
// Errors: what the aws CLI refuses (a key before any section, a section or key given twice, a
// line that is neither), a profile with one half of a key pair, a key id given two secrets,
// are cli::Error(usage, "FILE:LINE", what). A file that cannot be read is cli::Error(no_input,
// FILE, why). No message ever holds a secret or a line's text: a secret pasted onto a line of
// its own is reported by its line number only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term credentials
};

struct Profile {
  std::string name;
  std::size_t line = 0;     // of its [name] line, for diagnostics
  Credentials credentials;  // empty access_key_id: a profile without keys (a role, a region)
};

// The profiles of `text`, in file order. `file` names the file in errors.
std::vector<Profile> parse_credentials_file(std::string_view text, std::string_view file);
std::vector<Profile> read_credentials_file(const std::string& path);

// The profile called `name`, or nullptr.
const Profile* find_profile(const std::vector<Profile>& profiles, std::string_view name);

// The AWS client's credentials, found as the aws CLI finds them: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN) from the environment, else the profile
// AWS_PROFILE (else default) of the credentials file (AWS_SHARED_CREDENTIALS_FILE, else
// ~/.aws/credentials). nullopt when there are none. Throws cli::Error(usage) for one half of a
// key pair in the environment and for an AWS_PROFILE the file does not have.
std::optional<Credentials> client_credentials();

// Access key id → credentials, for verifying signatures. Immutable once made: share it freely.
class CredentialStore {
 public:
  // Every profile with keys. Throws cli::Error(usage, FILE:LINE) when one key id is given two
  // different secrets or session tokens, and cli::Error(usage, FILE) when no profile has keys
  // (a verifier that no request can pass is a mistake, not a configuration).
  CredentialStore(const std::vector<Profile>& profiles, std::string_view file);
  static CredentialStore from_file(const std::string& path);

  // The credentials of `access_key_id`, or nullptr.
  const Credentials* find(std::string_view access_key_id) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<Credentials> keys_;  // sorted by access key id
};

}  // namespace millrace::aws
