#include "runtime/function_options.h"

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
                                   "the handler's runtime (default: from its file's extension)")
                       ->needs(handler_);
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
  if (!given()) {
    for (CLI::Option* option : settings_)
      if (option->count() > 0) throw cli::Error(cli::Exit::usage, option->get_name(), "needs --handler or --runtime-cmd");
    return false;
  }
  check(function_);
  if (language_) {
    function_.language = *language_;
  } else if (command_->count() == 0) {
    std::string file = function_.handler.substr(0, function_.handler.rfind('.'));
    auto exists = [&](const char* extension) {
      std::error_code error;
      return std::filesystem::exists(std::filesystem::path(function_.code) / (file + extension), error);
    };
    if (exists(".py")) {
      function_.language = Language::python;
    } else if (exists(".js") || exists(".mjs") || exists(".cjs")) {
      function_.language = Language::nodejs;
    } else {
      throw cli::Error(cli::Exit::usage, "--handler",
                       fmt::format("no {0}.js, {0}.mjs, {0}.cjs or {0}.py in {1} (or give --runtime)", file, function_.code));
    }
  }
  return true;
}

}  // namespace millrace::runtime
