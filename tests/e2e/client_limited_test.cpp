// The tool says when it is the bottleneck: stages[].client_limited and its
// reasons, the terminal's WARNING, --strict's exit code 6, and the client's
// own figures (TTFB, read lag, turnaround) in the summary. Limits of 0 make
// a rule fire on any run, so the path is tested without loading the machine.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

std::vector<std::string> load_args(const std::string& out) {
  return {"--mock", "--mock-decode-tps", "2000", "--concurrency", "2", "--requests", "8", "--max-tokens", "8",
          "--output", out, "--no-progress"};
}

TEST(ClientLimited, AClientThatKeptUpSaysSoAndReportsItsOwnFigures) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  auto args = load_args(out);
  for (const char* a : {"--client-limits", "read_lag_ms=1000,turnaround_ms=1000,worker_cpu=1.5", "--strict"}) {
    args.emplace_back(a);
  }
  const RunResult r = run_llmbench(args);
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_FALSE(boolean(j.root(), "/stages/0/client_limited"));
  EXPECT_EQ(array_size(j.root(), "/stages/0/client_limited_reasons"), 0u);
  EXPECT_GE(num(j.root(), "/stages/0/worker_cpu_share_max"), 0.0);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/ttfb_ms/count"), 8);
  EXPECT_LE(num(j.root(), "/stages/0/summary/ttfb_ms/p50"), num(j.root(), "/stages/0/summary/ttft_ms/p50"));
  // Two clients, four requests each: three turnarounds each.
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/turnaround_ms/count"), 6);
  EXPECT_TRUE(has(j.root(), "/stages/0/summary/histograms/turnaround_ns"));
  EXPECT_EQ(r.out.find("WARNING: the client was the bottleneck"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  TTFB "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Turnaround "), std::string::npos) << r.out;
}

TEST(ClientLimited, ABrokenRuleIsAWarningAndStrictMakesItExitCodeSix) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  auto args = load_args(out);
  args.emplace_back("--client-limits");
  args.emplace_back("turnaround_ms=0");
  const RunResult lenient = run_llmbench(args);
  ASSERT_EQ(lenient.code(), 0) << "without --strict a client-limited run still succeeds\n" << lenient.why();
  EXPECT_NE(lenient.out.find("WARNING: the client was the bottleneck"), std::string::npos) << lenient.out;
  EXPECT_NE(lenient.out.find("turnaround p99"), std::string::npos) << lenient.out;
  EXPECT_NE(lenient.out.find("more --threads"), std::string::npos) << "says what to do\n" << lenient.out;

  args.emplace_back("--strict");
  const RunResult strict = run_llmbench(args);
  ASSERT_EQ(strict.code(), 6) << strict.why();
  EXPECT_NE(strict.err.find("--strict: the client was the bottleneck in stage concurrency=2"), std::string::npos)
      << strict.err;
  Json j;
  ASSERT_TRUE(j.load(out)) << "results are written all the same";
  EXPECT_TRUE(boolean(j.root(), "/stages/0/client_limited"));
  // The rule set to 0 broke; on a loaded machine another (read lag) may
  // break beside it, so it is looked for among the reasons.
  const std::size_t reasons = array_size(j.root(), "/stages/0/client_limited_reasons");
  ASSERT_GE(reasons, 1u);
  std::string turnaround;
  for (std::size_t i = 0; i < reasons; ++i) {
    const std::string at = "/stages/0/client_limited_reasons/" + std::to_string(i);
    if (str(j.root(), at + "/rule") == "turnaround") turnaround = at;
  }
  ASSERT_FALSE(turnaround.empty()) << "the turnaround rule is not among the reasons";
  EXPECT_EQ(num(j.root(), turnaround + "/limit"), 0.0);
  EXPECT_GT(num(j.root(), turnaround + "/measured"), 0.0);
}

TEST(ClientLimited, BadLimitsAreAUsageError) {
  const RunResult r = run_llmbench({"--mock", "--concurrency", "1", "--requests", "1", "--client-limits", "lag=1"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_NE(r.err.find("--client-limits: unknown key 'lag'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace llmbench::e2e
