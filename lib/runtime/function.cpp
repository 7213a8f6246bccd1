#include "runtime/function.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "aws/arn.h"
#include "aws/credentials.h"
#include "cli/error.h"
#include "os/child.h"

namespace millrace::runtime {
namespace {

// Whether the credentials file the SDKs read (AWS_SHARED_CREDENTIALS_FILE, else
// ~/.aws/credentials) gives its [default] profile keys. A file that cannot be read or parsed
// gives none.
bool default_profile_has_keys() {
  const char* file = std::getenv("AWS_SHARED_CREDENTIALS_FILE");
  const char* home = std::getenv("HOME");
  std::string path = file && *file ? file : home && *home ? std::string(home) + "/.aws/credentials" : "";
  std::error_code error;
  if (path.empty() || !std::filesystem::is_regular_file(path, error)) return false;
  try {
    std::vector<aws::Profile> profiles = aws::read_credentials_file(path);
    const aws::Profile* profile = aws::find_profile(profiles, "default");
    return profile && !profile->credentials.access_key_id.empty();
  } catch (const cli::Error&) {
    return false;
  }
}

std::filesystem::path own_directory() {
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path{} : exe.parent_path();
}

}  // namespace

std::string Function::region() const { return aws::region(); }

std::string Function::arn() const { return aws::lambda_function_arn(region(), name); }

std::string function_name(std::string_view handler) {
  if (handler.empty()) return "function";
  std::string name(handler);
  for (char& c : name)
    if (c == '.' || c == '/') c = '-';
  return name;
}

void check(const Function& function) {
  if (function.command.empty()) {
    std::size_t dot = function.handler.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == function.handler.size())
      throw cli::Error(cli::Exit::usage, "--handler", fmt::format("'{}' is not FILE.FUNCTION", function.handler));
  }
  for (const std::string& entry : function.environment) {
    if (entry.find('=') == std::string::npos || entry.front() == '=')
      throw cli::Error(cli::Exit::usage, "--env", fmt::format("'{}' is not NAME=VALUE", entry));
  }
  std::error_code error;
  if (!std::filesystem::is_directory(function.code, error))
    throw cli::Error(cli::Exit::usage, "--code", fmt::format("{}: not a directory", function.code));
}

void give_placeholder_keys(Function& function) {
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_PROFILE"}) {
    if (const char* value = std::getenv(name); value && *value) return;
    std::string prefix = std::string(name) + "=";
    if (std::any_of(function.environment.begin(), function.environment.end(),
                    [&](const std::string& entry) { return entry.starts_with(prefix) && entry.size() > prefix.size(); }))
      return;
  }
  if (default_profile_has_keys()) return;
  function.environment.insert(function.environment.begin(),
                              {"AWS_ACCESS_KEY_ID=AKIDMILLRACEFUNCTION", "AWS_SECRET_ACCESS_KEY=millrace-function-secret"});
}

std::vector<std::string> runtime_command(const Function& function) {
  if (!function.command.empty()) return {"/bin/sh", "-c", function.command};
  std::string directory = bootstrap_directory();
  switch (function.language) {
    case Language::nodejs: return {"node", directory + "/nodejs/bootstrap.mjs"};
    case Language::python: return {"python3", directory + "/python/bootstrap.py"};
  }
  return {};
}

std::vector<std::string> runtime_environment(const Function& function, const std::string& runtime_api) {
  std::error_code error;
  std::filesystem::path root = std::filesystem::absolute(function.code, error);
  std::string region = function.region();
  std::vector<std::string> lambda = {
      "AWS_LAMBDA_RUNTIME_API=" + runtime_api,
      "_HANDLER=" + function.handler,
      "LAMBDA_TASK_ROOT=" + root.lexically_normal().string(),
      "AWS_LAMBDA_FUNCTION_NAME=" + function.name,
      "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
      fmt::format("AWS_LAMBDA_FUNCTION_MEMORY_SIZE={}", function.memory_mb),
      fmt::format("AWS_LAMBDA_FUNCTION_TIMEOUT={}", (function.timeout_ms + 999) / 1000),
      "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + function.name,
      "AWS_LAMBDA_LOG_STREAM_NAME=$LATEST",
      "AWS_REGION=" + region,
      "AWS_DEFAULT_REGION=" + region,
  };
  if (function.command.empty()) lambda.push_back("LAMBDA_RUNTIME_DIR=" + bootstrap_directory());
  if (!function.endpoint.empty()) lambda.push_back("AWS_ENDPOINT_URL=" + function.endpoint);
  lambda.insert(lambda.end(), function.environment.begin(), function.environment.end());
  return os::environment_with(lambda);
}

std::string bootstrap_directory() {
  std::filesystem::path bin = own_directory();
  for (const std::filesystem::path& candidate :
       {bin / "share/millrace/runtime", bin.parent_path() / "share/millrace/runtime"}) {
    std::error_code error;
    if (std::filesystem::is_directory(candidate, error)) return candidate.lexically_normal().string();
  }
  throw cli::Error(cli::Exit::software, "", fmt::format("no share/millrace/runtime beside {} or in its parent", bin.string()));
}

}  // namespace millrace::runtime
