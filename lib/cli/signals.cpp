#include "cli/signals.h"

#include <poll.h>
#include <signal.h>

#include <atomic>
#include <ctime>

namespace millrace::cli {
namespace {

std::atomic<bool> stop{false};
std::atomic<bool> resize{false};

extern "C" void on_stop_signal(int) { stop.store(true, std::memory_order_relaxed); }
extern "C" void on_resize_signal(int) { resize.store(true, std::memory_order_relaxed); }

void install(int signal, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a wait or read returns with EINTR
  sigaction(signal, &action, nullptr);
}

}  // namespace

void catch_stop_signals() {
  install(SIGINT, on_stop_signal);
  install(SIGTERM, on_stop_signal);
}

bool stop_requested() { return stop.load(std::memory_order_relaxed); }

void catch_resize() { install(SIGWINCH, on_resize_signal); }

bool resized() { return resize.exchange(false, std::memory_order_relaxed); }

void sleep_unless_signalled(std::int64_t ms) {
  if (ms <= 0) return;
  sigset_t caught, before;
  sigemptyset(&caught);
  sigaddset(&caught, SIGINT);
  sigaddset(&caught, SIGTERM);
  sigaddset(&caught, SIGWINCH);
  pthread_sigmask(SIG_BLOCK, &caught, &before);
  if (!stop.load(std::memory_order_relaxed) && !resize.load(std::memory_order_relaxed)) {
    timespec wait{static_cast<std::time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000L};
    ::ppoll(nullptr, 0, &wait, &before);  // unblocks them while it sleeps
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace millrace::cli
