#include "runtime/function_options.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "cli/error.h"
#include "cli/options.h"

namespace millrace::runtime {

FunctionOptions::FunctionOptions(CLI::App& app, Function& function) : function_(function) {
  handler_ = app.add_option("--handler", function.handler, "run the handler FILE.FUNCTION in a warm runtime, as Lambda")
                 ->option_text("FILE.FUNCTION");
  auto* language = cli::add_choice(app, "--runtime", language_, kLanguages,
                                   "the handler's runtime (default: from its file's extension)");
  command_ = app.add_option("--runtime-cmd", function.command,
                            "run CMD (by /bin/sh -c) as a custom runtime of the Lambda Runtime API")
                 ->option_text("CMD")
                 ->excludes(language);
  settings_.push_back(language);
  settings_.push_back(app.add_option("--code", function.code, "the function's code directory, LAMBDA_TASK_ROOT (default .)")
      ->option_text("DIR"));
  settings_.push_back(app.add_option("--env", function.environment, "set NAME to VALUE in the handler's environment (repeatable)")
      ->option_text("NAME=VALUE"));
  settings_.push_back(app.add_option("--memory", function.memory_mb, "the function's memory size, as told to the handler (default 128)")
      ->check(CLI::Range(128, 10240))
      ->option_text("MB"));
  settings_.push_back(app.add_option("--endpoint", function.endpoint, "where the handler's AWS SDK calls go (AWS_ENDPOINT_URL)")
      ->option_text("URL"));
}

bool FunctionOptions::given() const { return handler_->count() > 0 || command_->count() > 0; }

bool FunctionOptions::resolve() const {
  refuse_unused(given());
  if (given()) function_ = resolved(function_.handler);
  return given();
}

void FunctionOptions::refuse_unused(bool used) const {
  if (used) return;
  for (CLI::Option* option : settings_)
    if (option->count() > 0) throw cli::Error(cli::Exit::usage, option->get_name(), "needs --handler or --runtime-cmd");
}

std::vector<Function> FunctionOptions::functions_of(const std::vector<Route>& routes) const {
  std::vector<std::string> handlers;
  for (const Route& route : routes) handlers.push_back(route.handler);
  if (given()) handlers.push_back(function_.handler);
  std::vector<Function> functions;
  for (const std::string& handler : handlers) {
    if (std::any_of(functions.begin(), functions.end(), [&](const Function& f) { return f.handler == handler; }))
      continue;
    functions.push_back(resolved(handler));
    functions.back().name = function_name(handler);
  }
  return functions;
}

Function FunctionOptions::resolved(std::string handler) const {
  Function function = function_;
  function.handler = std::move(handler);
  check(function);
  if (language_) {
    function.language = *language_;
  } else if (function.command.empty()) {
    std::string file = function.handler.substr(0, function.handler.rfind('.'));
    auto exists = [&](const char* extension) {
      std::error_code error;
      return std::filesystem::exists(std::filesystem::path(function.code) / (file + extension), error);
    };
    if (exists(".py")) {
      function.language = Language::python;
    } else if (exists(".js") || exists(".mjs") || exists(".cjs")) {
      function.language = Language::nodejs;
    } else {
      throw cli::Error(cli::Exit::usage, "--handler",
                       fmt::format("no {0}.js, {0}.mjs, {0}.cjs or {0}.py in {1} (or give --runtime)", file, function.code));
    }
  }
  return function;
}

}  // namespace millrace::runtime
