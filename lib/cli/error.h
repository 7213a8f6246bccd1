// Exit statuses and the one exception type that ends a program.
//
// What a caller decides on (a bad line under --on-error skip, a missing key) is a return value;
// what ends the program is thrown as cli::Error and caught once, in App::run. errno failures
// are thrown as std::system_error and end the program with Exit::io (EPIPE: quietly, with 0).
#pragma once

#include <stdexcept>
#include <string>

namespace millrace::cli {

// sysexits(3): the statuses every millrace program documents in EXIT STATUS.
enum class Exit : int {
  ok = 0,
  usage = 64,        // EX_USAGE: bad option or argument
  data = 65,         // EX_DATAERR: a bad input line
  no_input = 66,     // EX_NOINPUT: no such stream, table or file
  unavailable = 69,  // EX_UNAVAILABLE: the store is missing, corrupt or of another format
  software = 70,     // EX_SOFTWARE: internal error
  cant_create = 73,  // EX_CANTCREAT: the store or an output cannot be created
  io = 74,           // EX_IOERR: a write or fsync failed (EIO, ENOSPC)
  temp_fail = 75,    // EX_TEMPFAIL: try again later
};

// Ends the program with `status`, after the run frame prints "PROGRAM: WHERE: WHAT" (or
// "PROGRAM: WHAT" when `where` is empty). `where` is a place: FILE:LINE, a stream, a store.
class Error : public std::runtime_error {
 public:
  Error(Exit status, std::string where, const std::string& what)
      : std::runtime_error(what), status_(status), where_(std::move(where)) {}

  Exit status() const { return status_; }
  const std::string& where() const { return where_; }

 private:
  Exit status_;
  std::string where_;
};

}  // namespace millrace::cli
