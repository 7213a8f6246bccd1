// Stop signals: SIGINT and SIGTERM ask a long-running program to stop at its next safe point
// (flush what it has, checkpoint it, exit 0) instead of killing it mid-write.
//
// A program that draws to fit its terminal (cw-stats --watch) also catches SIGWINCH, to
// redraw at the new size at once.
#pragma once

#include <cstdint>

namespace millrace::cli {

// Installs the handlers. They do not restart system calls, so a blocking wait returns at once.
void catch_stop_signals();
bool stop_requested();

// Installs the SIGWINCH handler; resized() says whether the size changed since it was last
// asked.
void catch_resize();
bool resized();

// Sleeps `ms` milliseconds, or until a stop or resize is caught. None is missed: a signal
// arriving between the look at the flags and the sleep ends the sleep at once (ppoll).
void sleep_unless_signalled(std::int64_t ms);

}  // namespace millrace::cli
