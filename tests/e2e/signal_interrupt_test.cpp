// Interrupting a run: SIGINT and SIGTERM stop it, the results so far are
// written and marked as interrupted, and the exit code says which signal.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Interrupted {
  ExitStatus status;
  std::string err;
  bool saw_cue = false;
  double exit_after_last_signal_s = 0;  // from the last signal sent to the child's exit
};

// Runs llmbench with `args`, waits until its stderr shows `cue`, sends
// `signo`; with `again`, waits for the cue `again` and sends `signo` once
// more. Then collects the rest.
Interrupted interrupt_on_cue(std::vector<std::string> args, std::string_view cue, int signo,
                             std::string_view again = {}) {
  Pipe err;
  CaptureFile stdout_file;
  SpawnOptions opts;
  opts.stdout_fd = stdout_file.fd();
  opts.stderr_fd = err.write_fd();
  args.insert(args.begin(), binary());
  Child child(args, opts);
  err.close_write();
  Interrupted r;
  const auto deadline = Clock::now() + kHardBound;
  r.saw_cue = err.read_until(r.err, cue, deadline);
  auto signalled = Clock::now();
  if (r.saw_cue) {
    child.signal(signo);
    if (!again.empty()) {
      r.saw_cue = err.read_until(r.err, again, deadline);
      signalled = Clock::now();
      if (r.saw_cue) child.signal(signo);
    }
  }
  err.read_to_eof(r.err, deadline);
  r.status = child.wait_until(deadline);
  r.exit_after_last_signal_s = std::chrono::duration<double>(Clock::now() - signalled).count();
  return r;
}

// 16 tokens at 20 tok/s: 0.8 s a run, 4 s for the five runs.
std::vector<std::string> slow_spec_run(const std::string& out) {
  return {"--mock", "--mock-decode-tps", "20", "--max-tokens", "16", "--prompts", "cache_loops",
          "--runs", "5", "--warmup", "0", "--output", out};
}

void expect_interrupted_spec_results(const std::string& out, const std::string& by) {
  ASSERT_TRUE(file_exists(out));
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_TRUE(boolean(root, "/interrupted"));
  EXPECT_EQ(str(root, "/interrupted_by"), by);
  // The run that was reported before the signal is in the file.
  const std::size_t runs = array_size(root, "/prompts/cache_loops/results");
  EXPECT_GE(runs, 1u);
  EXPECT_LE(runs, 5u);
  EXPECT_TRUE(boolean(root, "/prompts/cache_loops/results/0/success"));
  EXPECT_GT(num(root, "/prompts/cache_loops/stats/avg_tokens_per_second"), 0.0);
}

TEST(SignalInterrupt, SigintExits130WithResultsSoFar) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const Interrupted r = interrupt_on_cue(slow_spec_run(out), "run 1/", SIGINT);
  ASSERT_TRUE(r.saw_cue) << describe(r.status) << "\n" << r.err;
  ASSERT_TRUE(r.status.exited) << describe(r.status) << "\n" << r.err;
  EXPECT_EQ(r.status.code, 130) << r.err;
  expect_interrupted_spec_results(out, "SIGINT");
}

TEST(SignalInterrupt, SigtermExits143WithResultsSoFar) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const Interrupted r = interrupt_on_cue(slow_spec_run(out), "run 1/", SIGTERM);
  ASSERT_TRUE(r.saw_cue) << describe(r.status) << "\n" << r.err;
  ASSERT_TRUE(r.status.exited) << describe(r.status) << "\n" << r.err;
  EXPECT_EQ(r.status.code, 143) << r.err;
  expect_interrupted_spec_results(out, "SIGTERM");
}

TEST(SignalInterrupt, SecondSigintEndsAtOnce) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  // One 10 s request: only the second signal can end the run quickly (the
  // first one alone waits out its 2 s grace period).
  const Interrupted r = interrupt_on_cue({"--mock", "--mock-decode-tps", "20", "--max-tokens", "200", "--prompts",
                                          "cache_loops", "--runs", "1", "--warmup", "0", "--output", out},
                                         "Benchmarking", SIGINT, "SIGINT: no new requests");
  ASSERT_TRUE(r.saw_cue) << describe(r.status) << "\n" << r.err;
  ASSERT_TRUE(r.status.exited) << describe(r.status) << "\n" << r.err;
  EXPECT_EQ(r.status.code, 130) << r.err;
  EXPECT_LT(r.exit_after_last_signal_s, 1.5);
}

TEST(SignalInterrupt, LoadModeSigintCancelsInFlightAndAccountsForThem) {
  TempDir dir;
  const std::string out = dir.file("load.json");
  // 200 tokens at 50 tok/s: 4 s a request, longer than the grace period, so
  // the requests in flight at the signal end up cancelled.
  const Interrupted r = interrupt_on_cue({"--mock", "--mock-decode-tps", "50", "--max-tokens", "200",
                                          "--concurrency", "6", "--duration", "30", "--threads", "2", "--output", out},
                                         "[1/1 ", SIGINT);
  ASSERT_TRUE(r.saw_cue) << describe(r.status) << "\n" << r.err;
  ASSERT_TRUE(r.status.exited) << describe(r.status) << "\n" << r.err;
  EXPECT_EQ(r.status.code, 130) << r.err;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_TRUE(boolean(root, "/interrupted"));
  EXPECT_EQ(str(root, "/interrupted_by"), "SIGINT");
  EXPECT_TRUE(boolean(root, "/stages/0/interrupted"));
  const std::int64_t cancelled = integer(root, "/stages/0/summary/requests_cancelled");
  EXPECT_GT(cancelled, 0);
  EXPECT_EQ(integer(root, "/stages/0/requests_scheduled"),
            integer(root, "/stages/0/summary/requests_succeeded") + integer(root, "/stages/0/summary/requests_failed") +
                cancelled + integer(root, "/stages/0/phases/warmup") + integer(root, "/stages/0/phases/cooldown"));
  // Cancelled requests are not failures of the server.
  EXPECT_EQ(integer(root, "/stages/0/summary/requests_failed"), 0);
  // The measured window ends at the signal, not 30 s after the start: the
  // rest of the planned window, when nothing more was sent, is not divided
  // into the rates. The signal came after the first progress line (1 s) and
  // before the run ended (the grace period is 5 s).
  const double window = num(root, "/stages/0/summary/measured_window_s");
  EXPECT_GT(window, 0.5);
  EXPECT_LT(window, 15.0) << "the window ran on past the interrupt";
  EXPECT_LE(window, num(root, "/stages/0/elapsed_s") + 0.01);
}

}  // namespace
}  // namespace llmbench::e2e
