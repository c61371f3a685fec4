#include "llmbench/cli/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>

namespace llmbench::cli {

namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void SignalWatcher::block_signals() {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(std::function<void(int)> on_first) : on_first_(std::move(on_first)) {
  thread_ = std::thread([this] { loop(); });
}

SignalWatcher::~SignalWatcher() {
  stop_.store(true);
  thread_.join();
}

// sigtimedwait with a short timeout so the destructor can stop the thread
// without sending it a signal.
void SignalWatcher::loop() {
  const sigset_t set = termination_set();
  const timespec tick{0, 100'000'000};
  while (!stop_.load()) {
    const int signo = sigtimedwait(&set, nullptr, &tick);
    if (signo <= 0) continue;
    if (received_.load() != 0) _exit(128 + signo);  // the second signal: at once
    received_.store(signo);
    // Later signals must reach this thread while on_first runs its grace period.
    std::thread second([set] {
      int again = 0;
      sigset_t s = set;
      if (sigwait(&s, &again) == 0) _exit(128 + again);
    });
    second.detach();
    if (on_first_) on_first_(signo);
  }
}

}  // namespace llmbench::cli
