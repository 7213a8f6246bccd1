#include "cli/signals.h"

#include <signal.h>

#include <atomic>

namespace millrace::cli {
namespace {

std::atomic<bool> stop{false};

extern "C" void on_stop_signal(int) { stop.store(true, std::memory_order_relaxed); }

}  // namespace

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a wait or read returns with EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return stop.load(std::memory_order_relaxed); }

}  // namespace millrace::cli
