#include "aws/endpoint.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include "aws/curl_library.h"
#include "aws/text.h"
#include "cli/error.h"

namespace millrace::aws {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view blanks = " \t\r";
  std::size_t first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

// `key` of `section` in an INI file, read leniently: the config file holds much we do not read
// (roles, SSO, nested settings), and the aws CLI, not we, is the judge of its syntax.
std::optional<std::string> ini_value(const std::string& path, std::string_view section, std::string_view key) {
  std::ifstream in(path);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (text.front() == '[') {
      inside = text.back() == ']' && trim(text.substr(1, text.size() - 2)) == section;
      continue;
    }
    if (!inside || line.front() == ' ' || line.front() == '\t') continue;
    std::size_t equals = text.find_first_of("=:");
    if (equals == std::string_view::npos) continue;
    if (iequals(trim(text.substr(0, equals)), key)) return std::string(trim(text.substr(equals + 1)));
  }
  return std::nullopt;
}

std::string home_file(const char* variable, std::string_view under_home) {
  if (auto path = environment(variable)) return *path;
  if (auto home = environment("HOME")) return *home + "/" + std::string(under_home);
  return {};
}

// http(s)://HOST[:PORT][/PATH], checked by libcurl's URL parser.
std::string checked_url(std::string_view text, std::string_view where) {
  std::unique_ptr<CURLU, decltype(curl().url_cleanup)> url(curl().url(), curl().url_cleanup);
  std::string copy(text);
  auto refuse = [&](std::string_view why) -> std::string {
    throw cli::Error(cli::Exit::usage, std::string(where), fmt::format("{}: {}", copy, why));
  };
  if (curl().url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) refuse("not a URL");
  char* scheme = nullptr;
  curl().url_get(url.get(), CURLUPART_SCHEME, &scheme, 0);
  std::string scheme_text = scheme != nullptr ? scheme : "";
  curl().free(scheme);
  if (scheme_text != "http" && scheme_text != "https") refuse("not an http:// or https:// URL");
  for (CURLUPart part : {CURLUPART_QUERY, CURLUPART_FRAGMENT, CURLUPART_USER}) {
    char* value = nullptr;
    bool present = curl().url_get(url.get(), part, &value, 0) == CURLUE_OK;
    curl().free(value);
    if (present) refuse("a store URL has no query, fragment or user");
  }
  while (!copy.empty() && copy.back() == '/') copy.pop_back();
  return copy;
}

}  // namespace

std::string client_region() {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (auto value = environment(name)) return *value;
  std::string config = home_file("AWS_CONFIG_FILE", ".aws/config");
  if (!config.empty()) {
    std::string profile = environment("AWS_PROFILE").value_or("default");
    std::string section = profile == "default" ? profile : "profile " + profile;
    if (auto region = ini_value(config, section, "region"); region && !region->empty()) return *region;
  }
  return "us-east-1";
}

ServiceEndpoint service_endpoint(const StoreSpec& store, std::string_view service) {
  ServiceEndpoint endpoint{{}, client_region(), std::string(service)};
  if (store.kind == StoreSpec::Kind::endpoint) {
    endpoint.url = checked_url(store.text, "--store");
    return endpoint;
  }
  std::string variable = "AWS_ENDPOINT_URL_" + std::string(service);
  for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& name : {variable, std::string("AWS_ENDPOINT_URL")}) {
    if (auto url = environment(name.c_str())) {
      endpoint.url = checked_url(*url, name);
      return endpoint;
    }
  }
  endpoint.url = fmt::format("https://{}.{}.amazonaws.com", service, endpoint.region);
  return endpoint;
}

}  // namespace millrace::aws
