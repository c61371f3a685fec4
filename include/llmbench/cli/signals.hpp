#pragma once
// SIGINT/SIGTERM handling without async-signal-unsafe work: the signals are
// blocked in every thread and one watcher thread takes them with sigtimedwait.
#include <atomic>
#include <functional>
#include <thread>

namespace llmbench::cli {

class SignalWatcher {
 public:
  // Blocks SIGINT/SIGTERM for this thread and every thread started after.
  // Call before starting any other thread.
  static void block_signals();

  // on_first runs on the watcher thread at the first signal; a second signal
  // ends the process at once with 128 + signo.
  explicit SignalWatcher(std::function<void(int signo)> on_first);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  [[nodiscard]] int received() const noexcept { return received_.load(); }

 private:
  void loop();
  std::function<void(int)> on_first_;
  std::atomic<int> received_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace llmbench::cli
