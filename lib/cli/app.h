// App: the frame every millrace program runs in.
//
// It owns the CLI11 parser with the common options (--store, --config, --quiet, --verbose,
// --help, --version), parses the command line, runs the program's body, and maps what ends
// the program to its exit status in exactly one place:
//   parse errors → 64; --help and --version → 0; cli::Error → its status;
//   std::system_error EPIPE (a closed stdout, `| head`) → 0, quietly;
//   other std::system_error → 74; anything else → 70 "internal error: …".
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "aws/store_spec.h"

namespace millrace::cli {

class App {
 public:
  // Programs that use no store (ks-window) have no --store.
  enum class Store { used, unused };
  App(std::string name, std::string description, Store store = Store::used);

  CLI::App& parser() { return parser_; }

  // The store: --store, else $KS_STORE, else ${XDG_DATA_HOME:-$HOME/.local/share}/millrace; a
  // directory or an endpoint (aws/store_spec.h).
  aws::StoreSpec store() const;
  // The store directory. Throws cli::Error(unavailable) when the store is an endpoint: for the
  // programs that do not yet work on one.
  std::filesystem::path store_dir() const;

  // Parses argv and runs `body`; returns the exit status for main to return.
  int run(int argc, char** argv, const std::function<void()>& body);
  // The same for a body that ends with a status of its own (kv-get: 1 when no item is found).
  int run_with_status(int argc, char** argv, const std::function<int()>& body);

 private:
  std::string name_;
  CLI::App parser_;
  std::string store_;
  bool quiet_ = false;
  bool verbose_ = false;
};

}  // namespace millrace::cli
