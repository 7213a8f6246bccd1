// Pool: a function's warm runtime processes, handed invocations over the Lambda Runtime API.
//
// Each runtime process is started with Lambda's environment (runtime/function.h) and its own
// Runtime API (2018-06-01) on a loopback port of its own, served by serve::Server:
//   GET  /2018-06-01/runtime/invocation/next         -> the next event, when there is one
//   POST /2018-06-01/runtime/invocation/ID/response  -> 202; 400 for an ID that is not the
//                                                       runtime's invocation in progress; 413
//                                                       above Lambda's 6291556 bytes
//   POST /2018-06-01/runtime/invocation/ID/error     -> 202; the invocation failed
//   POST /2018-06-01/runtime/init/error              -> 202; the runtime failed to start
// A `next` waits as long as it takes for an event; it is answered with Lambda's headers
// (Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id).
//
// Invocations queue for the first runtime that asks for one. A runtime still working at its
// deadline is killed (its whole process group) and the invocation has timed out; a runtime that
// exits during an invocation, or calls `next` again without answering, fails it. A runtime that
// exits or posts /init/error before it asks for an event, or has not asked for one within its
// Init limit (Function::init_timeout_ms, or the timeout when longer; it is killed then), has
// failed to start: the oldest waiting invocation fails with its error, and it is started again
// after a back-off that doubles, from
// 50 ms to 5 s, until a runtime answers an invocation; it is started again only while
// invocations wait, so a broken handler costs nothing while nothing comes.
//
// What a runtime writes on stdout and stderr goes to our stderr a line at a time, each line
// prefixed with the label of its current (or last) invocation, as --exec's stderr is. An
// invocation made with Log::tail also gets its own log back, as Lambda's Invoke gives it with
// `X-Amz-Log-Type: Tail`: what the runtime wrote while it ran, between Lambda's START, END and
// REPORT lines, the last 4 KB of it.
//
// close() (and the destructor) stop the pool at once: what waits for a runtime, a restart's
// back-off included, ends then as Status::stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/function.h"

namespace millrace::runtime {

struct Outcome {
  enum class Status {
    ok,         // the runtime posted a response: `payload` is it
    error,      // the handler failed (an /error post: `payload` is its error document), or its
                // runtime did (exited, failed to start, answered too much)
    timed_out,  // still running at its deadline: killed
    stopped,    // the pool was closed before a runtime took it, or destroyed before it ended: it
                // did not run, or not to its end; `payload` is an error document
  } status = Status::ok;
  std::string payload;
  std::string error_type;  // with error and timed_out: Lambda's (Runtime.ExitError, the
                           // handler's own...)
  std::string log;         // with Log::tail: the invocation's log, its last kMaxLogTailBytes
  // A line for a diagnostic: "TYPE: MESSAGE" of an error, "timed out after 3 s", ...
  std::string describe() const;
};

// How much of an invocation's log Lambda's Invoke returns (X-Amz-Log-Result): its last 4 KB.
inline constexpr std::size_t kMaxLogTailBytes = 4096;

class Pool {
 public:
  // Starts `size` runtime processes (size >= 1). Throws cli::Error when the function's
  // bootstrap cannot be found, std::system_error when a port or a process cannot be had.
  Pool(Function function, unsigned size);
  // Kills the runtimes; invocations still waiting end as errors.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const Function& function() const;

  using Done = std::function<void(Outcome)>;
  enum class Log { none, tail };
  // Queues `event` (a JSON document) for the next free runtime; `done` is called once with its
  // outcome, on one of the pool's threads, or on this one when the pool is closed (it must not
  // block). It may invoke again: called for a runtime's answer, it runs before that runtime can
  // ask for its next event, so an invocation made then is the one the runtime gets next, with
  // no wait. Thread-safe.
  void invoke(std::string event, std::string label, Done done, Log log = Log::none);
  // The same, waiting for the outcome.
  Outcome invoke(std::string event, std::string label, Log log = Log::none);
  // Stops taking invocations: those waiting for a runtime, and any made from now on, end at
  // once as Status::stopped; those at a runtime run to their end (the destructor ends them
  // too). Thread-safe; idempotent.
  void close();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace millrace::runtime
