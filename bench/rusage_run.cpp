// llmbench_rusage_run: runs a command and writes its CPU time, peak RSS and
// wall time, as `/usr/bin/time -f "%U %S %M %e"` would, but with microsecond
// resolution (GNU time prints centiseconds, too coarse for a short paced run).
//
// wait4() returns the child's rusage, every thread of it included and the
// launcher's own fork/exec excluded. The time limit is enforced here rather
// than by wrapping the command in timeout(1): that would add a process, and
// its start-up CPU, to every measurement.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

volatile pid_t g_child = 0;
void on_alarm(int) { ::kill(g_child, SIGKILL); }

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6 || std::strcmp(argv[1], "-o") != 0 || std::strcmp(argv[3], "-t") != 0) {
    std::fputs("usage: llmbench_rusage_run -o FILE -t SECONDS COMMAND [ARG...]\n"
               "  runs COMMAND (killed after SECONDS), then writes\n"
               "  \"user_s sys_s max_rss_kb wall_s exit_code\" to FILE\n",
               stderr);
    return 2;
  }
  const unsigned limit_s = static_cast<unsigned>(std::strtoul(argv[4], nullptr, 10));
  char** command = argv + 5;
  const double t0_s = now_s();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(command[0], command);
    std::fprintf(stderr, "llmbench_rusage_run: cannot run %s: %s\n", command[0], std::strerror(errno));
    ::_exit(127);
  }
  if (pid < 0) return 127;
  g_child = pid;
  struct sigaction sa{};
  sa.sa_handler = on_alarm;
  ::sigaction(SIGALRM, &sa, nullptr);
  ::alarm(limit_s);
  int status = 0;
  rusage ru{};
  pid_t waited = -1;
  do {
    waited = ::wait4(pid, &status, 0, &ru);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) return 127;
  const double wall_s = now_s() - t0_s;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::FILE* f = std::fopen(argv[2], "w");
  if (f == nullptr) return 127;
  std::fprintf(f, "%.6f %.6f %ld %.6f %d\n", seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, wall_s, code);
  std::fclose(f);
  return code;
}
