// The exit status of the cli::Error a call throws, cli::Exit::ok when it throws none: what the
// tests of a refusal check.
#pragma once

#include "cli/error.h"

namespace millrace::test {

template <class Body>
cli::Exit error_status(Body&& body) {
  try {
    body();
  } catch (const cli::Error& e) {
    return e.status();
  }
  return cli::Exit::ok;
}

}  // namespace millrace::test
