#include "cli/app.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <system_error>

#include "cli/config.h"
#include "cli/diagnostics.h"
#include "cli/error.h"

namespace millrace::cli {

App::App(std::string name, std::string description, Store store)
    : name_(std::move(name)), parser_(std::move(description), name_) {
  parser_.option_defaults()->always_capture_default();
  if (store == Store::used)
    parser_.add_option("-S,--store", store_, "store directory")->envname("KS_STORE")->option_text("DIR");
  parser_.set_config("--config", "", "read options from FILE (key = value lines)")->option_text("FILE");
  parser_.config_formatter(std::make_shared<StrictConfig>(parser_));
  parser_.add_flag("-q,--quiet", quiet_, "print only errors");
  parser_.add_flag("-v,--verbose", verbose_, "print a summary and notes on stderr");
  parser_.set_version_flag("--version", std::string(MILLRACE_VERSION));
  parser_.failure_message([](const CLI::App* app, const CLI::Error& e) {
    return fmt::format("{}: {}\nRun '{} --help' for more information.\n", app->get_name(),
                       e.what(), app->get_name());
  });
}

aws::StoreSpec App::store() const {
  if (!store_.empty()) return aws::StoreSpec::parse(store_);
  return aws::StoreSpec{aws::StoreSpec::Kind::directory, store_dir().string()};
}

std::filesystem::path App::store_dir() const {
  if (!store_.empty()) {
    if (aws::StoreSpec::parse(store_).remote())
      throw Error(Exit::unavailable, store_, fmt::format("{} works on a store directory only, not yet on an endpoint", name_));
    return store_;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0')
    return std::filesystem::path(xdg) / "millrace";
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    throw Error(Exit::usage, "", "no store: give --store DIR or set KS_STORE or HOME");
  return std::filesystem::path(home) / ".local/share/millrace";
}

int App::run(int argc, char** argv, const std::function<void()>& body) {
  return run_with_status(argc, argv, [&] {
    body();
    return 0;
  });
}

int App::run_with_status(int argc, char** argv, const std::function<int()>& body) {
  // Writes to a closed pipe then fail with EPIPE, which the frame turns into a quiet exit.
  ::signal(SIGPIPE, SIG_IGN);
  set_program(name_, Verbosity::normal);
  try {
    parser_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 uses its own codes (0 for help and version, 100 and up for errors).
    int code = parser_.exit(e, std::cout, std::cerr);
    return code == 0 ? 0 : static_cast<int>(Exit::usage);
  } catch (const Error& e) {  // a bad line of the config file
    report(e.where(), e.what());
    return static_cast<int>(e.status());
  }
  set_program(name_, quiet_     ? Verbosity::quiet
                     : verbose_ ? Verbosity::verbose
                                : Verbosity::normal);
  try {
    return body();
  } catch (const Error& e) {
    report(e.where(), e.what());
    return static_cast<int>(e.status());
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::broken_pipe) return 0;
    report("", e.what());
    return static_cast<int>(Exit::io);
  } catch (const std::exception& e) {
    report("", fmt::format("internal error: {}", e.what()));
    return static_cast<int>(Exit::software);
  }
}

}  // namespace millrace::cli
