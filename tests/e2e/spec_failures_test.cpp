// Spec mode with the built-in server's faults: failed runs are counted, not
// fatal; a run where nothing succeeds still writes its results and says so
// in its exit code.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(SpecFailures, EveryOtherRequestFailsGivesHalfSuccess) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  // Completion requests 2, 4, ... fail: the warm-up is request 1, so the
  // four measured runs are requests 2..5, two of which fail.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "cache_loops", "--mock-fault", "http_500", "--mock-fault-every", "2", "--warmup",
                                    "1", "--runs", "4", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(num(root, "/prompts/cache_loops/stats/success_rate"), 0.5);
  ASSERT_EQ(array_size(root, "/prompts/cache_loops/results"), 4u);
  int failed = 0;
  double ok_tps_sum = 0;
  for (int i = 0; i < 4; ++i) {
    const std::string rp = "/prompts/cache_loops/results/" + std::to_string(i);
    if (boolean(root, rp + "/success")) {
      EXPECT_TRUE(is_null(root, rp + "/error")) << rp;
      EXPECT_EQ(integer(root, rp + "/completion_tokens"), 16) << rp;
      ok_tps_sum += num(root, rp + "/tokens_per_second");
    } else {
      ++failed;
      EXPECT_EQ(str(root, rp + "/error"), "http_5xx") << rp;
      EXPECT_EQ(num(root, rp + "/tokens_per_second"), 0.0) << rp;
    }
  }
  EXPECT_EQ(failed, 2);
  // Failed runs do not drag the average down: it is over successful runs.
  const double avg = num(root, "/prompts/cache_loops/stats/avg_tokens_per_second");
  EXPECT_NEAR(avg, ok_tps_sum / 2, 1e-6 * avg);
  EXPECT_EQ(integer(root, "/summary/errors/http_5xx"), 2);
  // The terminal names the failure kind.
  EXPECT_TRUE(contains(r.out, "50%")) << r.out;
  EXPECT_TRUE(contains(r.out, "http_5xx")) << r.out;
}

TEST(SpecFailures, AllRunsTimingOutExitsFourAndStillWritesResults) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "cache_loops", "--mock-fault", "stall_midstream", "--timeout", "1", "--runs", "1",
                                    "--warmup", "0", "--output", out});
  ASSERT_EQ(r.code(), 4) << r.why();
  ASSERT_TRUE(file_exists(out));
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  ASSERT_EQ(array_size(root, "/prompts/cache_loops/results"), 1u);
  EXPECT_FALSE(boolean(root, "/prompts/cache_loops/results/0/success"));
  EXPECT_EQ(str(root, "/prompts/cache_loops/results/0/error"), "timeout");
  EXPECT_EQ(num(root, "/prompts/cache_loops/stats/success_rate"), 0.0);
  EXPECT_EQ(num(root, "/summary/overall_avg_tokens_per_second"), 0.0);
  // The guide's advice for timeouts.
  EXPECT_TRUE(contains(r.out, "increase --timeout")) << r.out;
}

TEST(SpecFailures, UnwritableOutputExitsOne) {
  TempDir dir;
  const std::string out = dir.file("no/such/dir/results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "cache_loops", "--runs", "1", "--warmup", "0", "--output", out});
  EXPECT_EQ(r.code(), 1) << r.why();
  EXPECT_TRUE(contains(r.err, out)) << r.err;
  EXPECT_FALSE(file_exists(out));
}

}  // namespace
}  // namespace llmbench::e2e
