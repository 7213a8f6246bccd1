// The options of a function's configuration, named after Lambda's and the same in every program
// that runs handlers (ks-consume, gw-serve): --handler, --runtime, --runtime-cmd, --code, --env,
// --memory, --endpoint. (--timeout and the concurrency are each program's own.)
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <vector>

#include "runtime/function.h"
#include "runtime/proxy_event.h"

namespace millrace::runtime {

class FunctionOptions {
 public:
  // Adds the options to `app`, parsing into `function`.
  FunctionOptions(CLI::App& app, Function& function);

  // Whether a handler is to run: --handler or --runtime-cmd was given.
  bool given() const;
  CLI::Option* handler() const { return handler_; }
  CLI::Option* runtime_command() const { return command_; }

  // After parsing, where --handler or --runtime-cmd is the only way to name a handler: whether
  // one is to run, and if so the function completed by resolved(). Throws cli::Error(usage)
  // naming the option at fault, also for a setting (--code, --env, ...) given without a handler.
  bool resolve() const;

  // The function of the options, with `handler` (a program's other way of naming one, as
  // gw-serve's --route): runtime::check(), then, without --runtime, the runtime follows the
  // handler's file in the code directory (FILE.py: python; FILE.js, .mjs, .cjs: nodejs).
  Function resolved(std::string handler) const;
  // Throws cli::Error(usage) for a setting given when no handler is to run (`used` false).
  void refuse_unused(bool used) const;
  // For a program that runs several handlers (gw-serve): the function of each handler of
  // `routes` and of --handler, once each, resolved, named by function_name().
  std::vector<Function> functions_of(const std::vector<Route>& routes) const;

 private:
  Function& function_;
  std::optional<Language> language_;
  CLI::Option* handler_;
  CLI::Option* command_;
  std::vector<CLI::Option*> settings_;
};

}  // namespace millrace::runtime
