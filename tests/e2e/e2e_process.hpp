#pragma once
// Child processes for the end-to-end tests: spawn, capture, wait with a
// hard bound, signal; and loopback ports nobody serves.
//
// Every wait is bounded. A child is watched through a pidfd, so waiting for
// it is one poll() with a deadline rather than a sleep loop; a child still
// running at the deadline is killed with SIGKILL and the test fails instead
// of hanging the suite.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "e2e_files.hpp"

extern char** environ;

namespace llmbench::e2e {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// No single llmbench invocation in this suite should take more than a few
// seconds; this bound exists only so that a hung child fails its test.
inline constexpr milliseconds kHardBound{120'000};

inline const std::string& binary() {
  static const std::string path = LLMBENCH_BINARY;
  return path;
}

struct ExitStatus {
  bool exited = false;     // returned from main / called exit
  int code = -1;           // exit code when exited
  int signal = 0;          // terminating signal otherwise
  bool hard_killed = false;  // still running at the bound: we sent SIGKILL
};

inline std::string describe(const ExitStatus& s) {
  if (s.hard_killed) return "hung: killed after the hard bound";
  if (s.exited) return "exit " + std::to_string(s.code);
  return "signal " + std::to_string(s.signal);
}

struct SpawnOptions {
  std::string cwd;             // empty: the test's own
  int stdout_fd = -1;          // -1: /dev/null
  int stderr_fd = -1;          // -1: /dev/null
};

// One running child, reaped (and killed first if need be) on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const SpawnOptions& opts) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (opts.stdout_fd >= 0) {
      posix_spawn_file_actions_adddup2(&fa, opts.stdout_fd, 1);
    } else {
      posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    }
    if (opts.stderr_fd >= 0) {
      posix_spawn_file_actions_adddup2(&fa, opts.stderr_fd, 2);
    } else {
      posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());
    // The child starts with default dispositions and nothing blocked,
    // whatever the test runner has set up.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("posix_spawnp " + argv[0] + ": " + std::strerror(rc));
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      throw std::runtime_error("pidfd_open: " + std::string(std::strerror(errno)));
    }
  }
  ~Child() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (pidfd_ >= 0) ::close(pidfd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int signo) const {
    if (!reaped_) ::kill(pid_, signo);
  }

  // Waits for the child to end until `deadline`; kills it there.
  ExitStatus wait_until(Clock::time_point deadline) {
    ExitStatus st;
    if (!wait_readable(pidfd_, deadline)) {
      ::kill(pid_, SIGKILL);
      st.hard_killed = true;
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    if (WIFEXITED(status)) {
      st.exited = true;
      st.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      st.signal = WTERMSIG(status);
    }
    return st;
  }

  // poll() on `fd` until it is readable or `deadline` passes.
  static bool wait_readable(int fd, Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
  }

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool reaped_ = false;
};

// A pipe whose read end the test keeps; the write end goes to a child.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
  }
  ~Pipe() {
    close_write();
    if (fds_[0] >= 0) ::close(fds_[0]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  [[nodiscard]] int write_fd() const { return fds_[1]; }
  // Call once the child has its copy, so that EOF means the child is done.
  void close_write() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }

  // Appends what arrives to `text` until it contains `needle` (true), the
  // writer closes (false) or `deadline` passes (false).
  bool read_until(std::string& text, std::string_view needle, Clock::time_point deadline) const {
    while (!contains(text, needle)) {
      if (!read_some(text, deadline)) return false;
    }
    return true;
  }
  // Everything until the writer closes (or `deadline` passes).
  void read_to_eof(std::string& text, Clock::time_point deadline) const {
    while (read_some(text, deadline)) {
    }
  }

 private:
  bool read_some(std::string& text, Clock::time_point deadline) const {
    for (;;) {
      if (!Child::wait_readable(fds_[0], deadline)) return false;
      char buf[4096];
      const ssize_t n = ::read(fds_[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      text.append(buf, static_cast<std::size_t>(n));
      return true;
    }
  }

  int fds_[2] = {-1, -1};
};

struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
  // For assertion messages: how it ended and what it said on stderr.
  [[nodiscard]] std::string why() const { return describe(status) + "\n--- stderr ---\n" + err; }
  [[nodiscard]] int code() const { return status.exited ? status.code : -1; }
};

// Runs argv[0] (looked up in PATH) to completion, stdout and stderr each
// captured to a file.
inline RunResult run_command(const std::vector<std::string>& argv, const std::string& cwd = "",
                             milliseconds bound = kHardBound) {
  CaptureFile out, err;
  SpawnOptions opts;
  opts.cwd = cwd;
  opts.stdout_fd = out.fd();
  opts.stderr_fd = err.fd();
  RunResult r;
  {
    Child child(argv, opts);
    r.status = child.wait_until(Clock::now() + bound);
  }
  r.out = out.contents();
  r.err = err.contents();
  return r;
}

inline RunResult run_llmbench(std::vector<std::string> args, milliseconds bound = kHardBound) {
  args.insert(args.begin(), binary());
  return run_command(args, "", bound);
}

// ---------------------------------------------------------------------------
// Ports on loopback

// A TCP port on 127.0.0.1 that nobody listens on: the socket is bound (so no
// one else can take the port while the test runs) but never listens, so a
// connection to it is refused at once.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("bind: " + std::string(std::strerror(errno)));
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~ClosedPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Turns it into a listener that never accepts: connections queue up in
  // the backlog, where pending_connection() sees them.
  void listen() { ::listen(fd_, 16); }
  [[nodiscard]] bool pending_connection() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace llmbench::e2e
