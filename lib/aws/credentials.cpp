#include "aws/credentials.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "aws/text.h"
#include "cli/error.h"

namespace millrace::aws {
namespace {

constexpr std::string_view kBlanks = " \t\r\f\v";
constexpr std::string_view kAccessKeyId = "aws_access_key_id";
constexpr std::string_view kSecretAccessKey = "aws_secret_access_key";
constexpr std::string_view kSessionToken = "aws_session_token";
// configparser's section of defaults: its keys apply to every profile that lacks them.
constexpr std::string_view kDefaults = "DEFAULT";

std::string_view trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

// The field of `credentials` that `key` (lower case) names, or nullptr for keys we ignore.
std::string* field(Credentials& credentials, std::string_view key) {
  if (key == kAccessKeyId) return &credentials.access_key_id;
  if (key == kSecretAccessKey) return &credentials.secret_access_key;
  if (key == kSessionToken) return &credentials.session_token;
  return nullptr;
}

bool is_credential_key(std::string_view key) {
  return key == kAccessKeyId || key == kSecretAccessKey || key == kSessionToken;
}

// A key as a message names it: one of ours by its name, any other as "a key", as it may be the
// start of a secret pasted onto a line of its own ("AQoDYXdz...==").
std::string named(std::string_view key) {
  return is_credential_key(key) ? fmt::format("'{}'", key) : "a key";
}

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  void line(std::string_view raw, std::size_t number) {
    number_ = number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view text = trim(raw);
    if (text.empty() || text.front() == '#' || text.front() == ';') return;
    std::size_t indent = raw.find_first_not_of(kBlanks);
    if (option_ && indent > option_indent_) return continuation();
    if (text.front() == '[') return section(text);
    option(text, indent);
  }

  std::vector<Profile> finish() {
    std::vector<Profile> profiles;
    for (Section& section : sections_) {
      if (section.profile.name == kDefaults) continue;
      for (std::string_view key : {kAccessKeyId, kSecretAccessKey, kSessionToken}) {
        std::string& value = *field(section.profile.credentials, key);
        if (value.empty()) value = *field(defaults_, key);
      }
      check_key_pair(section.profile);
      profiles.push_back(std::move(section.profile));
    }
    return profiles;
  }

 private:
  struct Section {
    Profile profile;
    std::map<std::string, std::size_t, std::less<>> keys;  // every key given, with its line
  };

  [[noreturn]] void fail(std::size_t number, const std::string& what) const {
    throw cli::Error(cli::Exit::usage, fmt::format("{}:{}", file_, number), what);
  }

  // A profile has both halves of a key pair or neither (a profile for a role or a region).
  void check_key_pair(const Profile& profile) const {
    const Credentials& keys = profile.credentials;
    if (keys.access_key_id.empty() && keys.secret_access_key.empty() && keys.session_token.empty())
      return;
    for (std::string_view key : {kAccessKeyId, kSecretAccessKey}) {
      if ((key == kAccessKeyId ? keys.access_key_id : keys.secret_access_key).empty())
        fail(profile.line, fmt::format("profile '{}' has no {}", profile.name, key));
    }
  }

  void section(std::string_view text) {
    if (text.size() < 3 || text.back() != ']') fail(number_, "a profile line is '[name]'");
    std::string name(text.substr(1, text.size() - 2));
    for (const Section& other : sections_)
      if (other.profile.name == name)
        fail(number_, fmt::format("profile '{}' is given twice (first on line {})", name,
                                  other.profile.line));
    sections_.push_back(Section{Profile{name, number_, {}}, {}});
    option_.reset();
  }

  void option(std::string_view text, std::size_t indent) {
    std::size_t delimiter = text.find_first_of("=:");
    // The text is not quoted: it may be a secret pasted onto a line of its own.
    if (delimiter == std::string_view::npos) fail(number_, "not a 'key = value' line");
    std::string key = ascii_lower(trim(text.substr(0, delimiter)));
    if (key.empty()) fail(number_, "no key before '='");
    if (sections_.empty()) fail(number_, fmt::format("{} before any [profile] line", named(key)));
    Section& section = sections_.back();
    if (auto given = section.keys.find(key); given != section.keys.end())
      fail(number_, fmt::format("{} is given twice in profile '{}' (first on line {})", named(key),
                                section.profile.name, given->second));
    section.keys.emplace(key, number_);
    Credentials& target =
        section.profile.name == kDefaults ? defaults_ : section.profile.credentials;
    if (std::string* value = field(target, key)) {
      *value = trim(text.substr(delimiter + 1));
      if (value->empty()) fail(number_, fmt::format("'{}' is empty", key));
    }
    option_ = key;
    option_indent_ = indent;
  }

  // A line indented deeper than the key above it: part of that key's value (configparser's
  // multi-line values, used by the config file's nested settings).
  void continuation() const {
    if (is_credential_key(*option_))
      fail(number_, fmt::format("'{}' continues onto an indented line", *option_));
  }

  std::string_view file_;
  std::size_t number_ = 0;
  std::vector<Section> sections_;
  Credentials defaults_;
  std::optional<std::string> option_;  // the key whose value an indented line would continue
  std::size_t option_indent_ = 0;
};

}  // namespace

std::vector<Profile> parse_credentials_file(std::string_view text, std::string_view file) {
  Parser parser(file);
  std::size_t number = 1;
  for (std::size_t start = 0; start < text.size(); ++number) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    parser.line(text.substr(start, end - start), number);
    start = end + 1;
  }
  return parser.finish();
}

std::vector<Profile> read_credentials_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cli::Error(cli::Exit::no_input, path, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw cli::Error(cli::Exit::no_input, path, std::strerror(errno));
  return parse_credentials_file(text.str(), path);
}

const Profile* find_profile(const std::vector<Profile>& profiles, std::string_view name) {
  auto found = std::find_if(profiles.begin(), profiles.end(),
                            [&](const Profile& p) { return p.name == name; });
  return found == profiles.end() ? nullptr : &*found;
}

CredentialStore::CredentialStore(const std::vector<Profile>& profiles, std::string_view file) {
  std::map<std::string_view, const Profile*> by_key;
  for (const Profile& profile : profiles) {
    const Credentials& keys = profile.credentials;
    if (keys.access_key_id.empty()) continue;
    auto [first, added] = by_key.emplace(keys.access_key_id, &profile);
    if (added) continue;
    const Credentials& earlier = first->second->credentials;
    if (earlier.secret_access_key != keys.secret_access_key ||
        earlier.session_token != keys.session_token)
      throw cli::Error(
          cli::Exit::usage, fmt::format("{}:{}", file, profile.line),
          fmt::format("profile '{}' gives access key {} other credentials than profile '{}'",
                      profile.name, keys.access_key_id, first->second->name));
  }
  if (by_key.empty())
    throw cli::Error(cli::Exit::usage, std::string(file),
                     "no profile has an aws_access_key_id and an aws_secret_access_key");
  for (const auto& [id, profile] : by_key) keys_.push_back(profile->credentials);
}

CredentialStore CredentialStore::from_file(const std::string& path) {
  return CredentialStore(read_credentials_file(path), path);
}

const Credentials* CredentialStore::find(std::string_view access_key_id) const {
  auto found = std::lower_bound(
      keys_.begin(), keys_.end(), access_key_id,
      [](const Credentials& c, std::string_view id) { return c.access_key_id < id; });
  return found != keys_.end() && found->access_key_id == access_key_id ? &*found : nullptr;
}

std::optional<Credentials> client_credentials() {
  auto variable = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  };
  Credentials from_environment{variable("AWS_ACCESS_KEY_ID"), variable("AWS_SECRET_ACCESS_KEY"),
                               variable("AWS_SESSION_TOKEN")};
  if (!from_environment.access_key_id.empty() || !from_environment.secret_access_key.empty()) {
    if (from_environment.access_key_id.empty() || from_environment.secret_access_key.empty())
      throw cli::Error(cli::Exit::usage, "", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set together or not at all");
    return from_environment;
  }
  std::string path = variable("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty() && !variable("HOME").empty()) path = variable("HOME") + "/.aws/credentials";
  std::string name = variable("AWS_PROFILE");
  bool named = !name.empty();
  if (!named) name = "default";
  std::vector<Profile> profiles;
  if (!path.empty() && std::filesystem::exists(path)) profiles = read_credentials_file(path);
  const Profile* profile = find_profile(profiles, name);
  if (profile == nullptr) {
    if (named) throw cli::Error(cli::Exit::usage, "AWS_PROFILE", fmt::format("no profile '{}' in {}", name, path));
    return std::nullopt;
  }
  if (profile->credentials.access_key_id.empty()) return std::nullopt;
  return profile->credentials;
}

}  // namespace millrace::aws
