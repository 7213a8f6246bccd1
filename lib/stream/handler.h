// Handler: one invocation of a `ks-consume --exec` command, as Lambda invokes a function with a
// batch.
//
// The command runs under /bin/sh -c with the batch on its stdin and nothing else: record data
// never goes into its arguments or environment. It starts in a process group of its own, with
// every signal at its default disposition and none blocked (whatever ks-consume ignores or
// catches), and with no file descriptor but its three pipes: the store's descriptors never reach
// it. Being in its own group, it does not receive a terminal's Ctrl-C: ks-consume stops at the
// end of the batch instead, and the handler finishes it.
//
// Its stdout passes through to ks-consume's stdout as it is written, except a last line that is
// Lambda's partial batch response, which is read as such. Its stderr goes to ks-consume's stderr
// line by line, each line prefixed with the label (the shard id). Safe to call from several
// threads at once, each with its own Writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lines/writer.h"

namespace millrace::stream {

struct HandlerResult {
  enum class Status {
    ok,         // exited with status 0 (item_failures may still list records: the caller decides)
    failed,     // exited with another status, or was killed by a signal
    timed_out,  // still running when the timeout passed: killed with its whole process group
  } status;
  int exit_status;  // the exit status, or 128 + the signal that killed it (normally 137 after a
                    // timeout)
  // The itemIdentifier values of a {"batchItemFailures":[{"itemIdentifier":"SEQ"},...]} last
  // stdout line, in order; empty without one, or when its list is empty or null (Lambda: full
  // success). An entry whose itemIdentifier is missing, null or not a string is returned as "":
  // Lambda fails the whole batch on such a response, and "" is no sequence number. Filled
  // whatever the status: Lambda honours a response only from an invocation that succeeded.
  std::vector<std::string> item_failures;
  std::string error;  // what failed, when more is known than the status (a runtime's error)

  // For a diagnostic: "exited with 3", "timed out", "Error: bad record".
  std::string describe() const;
};

// Runs `command` with /bin/sh -c, writes `input` to its stdin (then closes it), and waits for it
// to exit, or for `timeout_ms` to pass. While it runs, its stdout is appended to `out` and its
// stderr written to fd 2; `out` is flushed before returning.
//
// The handler's stdout ends when the handler itself exits: output that a background process of
// it writes later is not waited for. A handler that exits without reading all its input is not
// an error (EPIPE on its stdin means it stopped reading).
//
// REQUIRES: SIGPIPE ignored in this process (App::run does it), so that a handler exiting
// before it has read the batch makes our write fail with EPIPE instead of killing us.
//
// Throws std::system_error when a pipe or the process cannot be created, and whatever
// out.flush() throws (EPIPE when our own reader has gone); the handler's whole process group
// is then killed before the exception leaves.
HandlerResult run_handler(const std::string& command, std::string_view input,
                          std::optional<std::int64_t> timeout_ms, std::string_view label,
                          lines::Writer& out);

}  // namespace millrace::stream
