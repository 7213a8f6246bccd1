// Function: a Lambda function's configuration, as ks-consume --handler and gw-serve --route take
// it (Handler, Runtime, code, Environment, MemorySize, Timeout), and what follows from it for the
// runtime processes that run it: their command and their environment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::runtime {

enum class Language { nodejs, python };
inline const std::vector<std::pair<std::string, Language>> kLanguages = {{"nodejs", Language::nodejs},
                                                                         {"python", Language::python}};

// Lambda's longest timeout, and a function's timeout when none is given.
inline constexpr std::int64_t kMaxTimeoutMs = 900'000;
// Lambda's limit of a runtime's Init phase, from its start to its first `next`.
inline constexpr std::int64_t kInitTimeoutMs = 10'000;
// Lambda's invocation payload limit, 6 MB. A response may be 100 bytes longer: Lambda's
// Function.ResponseSizeTooLarge names 6291556 bytes as the most it allows, and returns that many.
inline constexpr std::size_t kMaxPayloadBytes = 6 * 1024 * 1024;
inline constexpr std::size_t kMaxResponseBytes = kMaxPayloadBytes + 100;

struct Function {
  std::string name;       // AWS_LAMBDA_FUNCTION_NAME: ks-consume's group (or stream)
  std::string handler;    // _HANDLER, FILE.FUNCTION; may be empty with a custom runtime
  Language language = Language::nodejs;
  std::string command;    // a custom runtime's bootstrap (run by /bin/sh -c); replaces `language`
  std::string code = "."; // LAMBDA_TASK_ROOT: the runtime's working directory
  std::vector<std::string> environment;  // NAME=VALUE, the user's, over Lambda's
  std::uint32_t memory_mb = 128;
  std::int64_t timeout_ms = kMaxTimeoutMs;
  // A runtime gets this long, or timeout_ms when longer (Lambda gives a timed out Init another
  // go within the invocation), to ask for its first event.
  std::int64_t init_timeout_ms = kInitTimeoutMs;
  std::string endpoint;   // AWS_ENDPOINT_URL for the handler's SDK calls, when not empty

  std::string region() const;  // AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1
  std::string arn() const;     // arn:aws:lambda:REGION:000000000000:function:NAME
};

// The name of the function of `handler` where the program does not name it (gw-serve): the
// handler with '.' and '/' as '-' ("index.handler" -> "index-handler"), "function" for none.
std::string function_name(std::string_view handler);

// Throws cli::Error(usage) naming the option at fault: a handler that is not FILE.FUNCTION, an
// --env entry without '=', a code directory that is not one, neither a handler nor a command.
void check(const Function& function);

// Lambda gives every function its role's keys, and an AWS SDK signs nothing without keys: for a
// function whose SDK calls go to a local endpoint that takes any key (gw-serve without
// --credentials), adds placeholder keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to its
// environment, unless ours or its own (--env) has keys or names a profile (AWS_PROFILE), or the
// credentials file has a [default] profile with keys: the SDK would use those. The function's
// --env still goes over them.
void give_placeholder_keys(Function& function);

// The argv of a runtime process: `node BOOTSTRAP`, `python3 BOOTSTRAP`, or `/bin/sh -c COMMAND`.
std::vector<std::string> runtime_command(const Function& function);

// A runtime process's environment: ours, with Lambda's variables over it (AWS_LAMBDA_RUNTIME_API
// = `runtime_api`, _HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_*, AWS_REGION, ...,
// AWS_ENDPOINT_URL with an endpoint) and the function's own environment over those.
std::vector<std::string> runtime_environment(const Function& function, const std::string& runtime_api);

// Where the bootstraps are: share/millrace/runtime beside the program (a build tree) or in
// ../share beside its bin directory (an installation). Throws cli::Error(unavailable) when
// neither has them.
std::string bootstrap_directory();

}  // namespace millrace::runtime
