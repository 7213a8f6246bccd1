// Stop signals: SIGINT and SIGTERM ask a long-running program to stop at its next safe point
// (flush what it has, checkpoint it, exit 0) instead of killing it mid-write.
#pragma once

namespace millrace::cli {

// Installs the handlers. They do not restart system calls, so a blocking wait returns at once.
void catch_stop_signals();
bool stop_requested();

}  // namespace millrace::cli
