// `llmbench mock-server`: the server in the foreground until a signal.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "llmbench/mock/server.hpp"

namespace llmbench::mock {

namespace {
// SIGINT/SIGTERM are blocked before the server's threads start (they inherit
// the mask), then taken synchronously with sigwait: no handler, nothing
// async-signal-unsafe, and the server stops from this thread.
class BlockedTermination {
 public:
  BlockedTermination() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedTermination() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockedTermination(const BlockedTermination&) = delete;
  BlockedTermination& operator=(const BlockedTermination&) = delete;
  int wait() const {
    int signo = 0;
    sigwait(&set_, &signo);
    return signo;
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
};
}  // namespace

int run_mock_server_cli(const MockConfig& cfg) {
  BlockedTermination signals;
  MockServer server(cfg);
  const Expected<std::uint16_t> port = server.start();
  if (!port) {
    std::fprintf(stderr, "llmbench %s\n", port.error().c_str());
    return 1;
  }
  const bool v6 = cfg.host.find(':') != std::string::npos;
  std::printf("llmbench mock-server listening on http://%s%s%s:%u\n", v6 ? "[" : "", cfg.host.c_str(), v6 ? "]" : "",
              static_cast<unsigned>(*port));
  std::fflush(stdout);
  signals.wait();
  server.stop();
  return 0;
}

}  // namespace llmbench::mock
