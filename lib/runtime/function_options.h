// The options of a function's configuration, named after Lambda's and the same in every program
// that runs handlers (ks-consume, gw-serve): --handler, --runtime, --runtime-cmd, --code, --env,
// --memory, --endpoint. (--timeout and the concurrency are each program's own.)
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <vector>

#include "runtime/function.h"

namespace millrace::runtime {

class FunctionOptions {
 public:
  // Adds the options to `app`, parsing into `function`.
  FunctionOptions(CLI::App& app, Function& function);

  // Whether a handler is to run: --handler or --runtime-cmd was given.
  bool given() const;
  CLI::Option* handler() const { return handler_; }
  CLI::Option* runtime_command() const { return command_; }

  // After parsing: whether a handler is to run. If so, runtime::check(), then, without
  // --runtime, the runtime follows the handler's file in the code directory (FILE.py: python;
  // FILE.js, .mjs, .cjs: nodejs). Throws cli::Error(usage) naming the option at fault, also
  // for a setting (--code, --env, ...) given without a handler.
  bool resolve() const;

 private:
  Function& function_;
  std::optional<Language> language_;
  CLI::Option* handler_;
  CLI::Option* command_;
  std::vector<CLI::Option*> settings_;
};

}  // namespace millrace::runtime
