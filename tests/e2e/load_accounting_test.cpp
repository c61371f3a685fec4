// Load mode with failing requests: every scheduled request is accounted for
// exactly once, in a phase and with an outcome, and errors are counted by
// kind without stopping the run.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

// requests_scheduled == succeeded + failed + cancelled (the measured ones)
// + warm-up + cool-down, for every stage; the run's total is their sum.
void expect_accounting(simdjson::dom::element root) {
  const std::size_t stages = array_size(root, "/stages");
  ASSERT_GT(stages, 0u);
  std::int64_t scheduled_sum = 0;
  for (std::size_t i = 0; i < stages; ++i) {
    const std::string st = "/stages/" + std::to_string(i);
    SCOPED_TRACE(st);
    const std::int64_t scheduled = integer(root, st + "/requests_scheduled");
    const std::int64_t succeeded = integer(root, st + "/summary/requests_succeeded");
    const std::int64_t failed = integer(root, st + "/summary/requests_failed");
    const std::int64_t cancelled = integer(root, st + "/summary/requests_cancelled");
    const std::int64_t warmup = integer(root, st + "/phases/warmup");
    const std::int64_t measured = integer(root, st + "/phases/measured");
    const std::int64_t cooldown = integer(root, st + "/phases/cooldown");
    EXPECT_EQ(scheduled, succeeded + failed + cancelled + warmup + cooldown)
        << "scheduled " << scheduled << ", succeeded " << succeeded << ", failed " << failed << ", cancelled "
        << cancelled << ", warm-up " << warmup << ", cool-down " << cooldown;
    EXPECT_EQ(measured, succeeded + failed + cancelled);
    EXPECT_EQ(integer(root, st + "/summary/requests_total"), measured);
    // Failures by kind add up to the failures.
    std::int64_t by_kind = 0;
    simdjson::dom::object errors;
    EXPECT_EQ(at(root, st + "/summary/errors").get(errors), simdjson::SUCCESS);
    for (auto [kind, count] : errors) by_kind += count.get_int64().value();
    EXPECT_EQ(by_kind, failed);
    scheduled_sum += scheduled;
  }
  EXPECT_EQ(integer(root, "/summary/requests_scheduled"), scheduled_sum);
}

TEST(LoadAccounting, ClosedLoopWithResetsCountsEveryRequest) {
  TempDir dir;
  const std::string out = dir.file("closed.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "500", "--max-tokens", "32", "--concurrency", "8",
                                    "--requests", "40", "--mock-fault", "reset_midstream", "--mock-fault-every", "3",
                                    "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  expect_accounting(root);
  EXPECT_EQ(integer(root, "/stages/0/phases/measured"), 40);
  EXPECT_GT(integer(root, "/stages/0/summary/errors/reset"), 0);
  EXPECT_GT(integer(root, "/stages/0/summary/requests_succeeded"), 0);
  EXPECT_GT(integer(root, "/summary/errors/reset"), 0);
}

TEST(LoadAccounting, ClosedLoopWithWarmupAndCooldown) {
  TempDir dir;
  const std::string out = dir.file("closed-phases.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "500", "--max-tokens", "32", "--concurrency", "8",
                                    "--requests", "40", "--warmup-seconds", "0.3", "--cooldown-seconds", "0.3",
                                    "--mock-fault", "reset_midstream", "--mock-fault-every", "3", "--threads", "2",
                                    "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  expect_accounting(j.root());
  EXPECT_EQ(integer(j.root(), "/stages/0/phases/measured"), 40);
  EXPECT_GT(integer(j.root(), "/stages/0/phases/warmup"), 0);
  EXPECT_GT(integer(j.root(), "/stages/0/summary/errors/reset"), 0);
}

TEST(LoadAccounting, OpenLoopWithResetsCountsEveryRequest) {
  TempDir dir;
  const std::string out = dir.file("open.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "500", "--max-tokens", "32", "--rate", "50",
                                    "--duration", "2", "--warmup-seconds", "0.5", "--cooldown-seconds", "0.5",
                                    "--mock-fault", "reset_midstream", "--mock-fault-every", "3", "--threads", "2",
                                    "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  expect_accounting(root);
  EXPECT_GT(integer(root, "/stages/0/phases/warmup"), 0);
  EXPECT_GT(integer(root, "/stages/0/phases/measured"), 0);
  EXPECT_GT(integer(root, "/stages/0/summary/errors/reset"), 0);
}

TEST(LoadAccounting, SweepWithServerErrorsCountsEveryStage) {
  TempDir dir;
  const std::string out = dir.file("sweep-faults.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--sweep",
                                    "concurrency=2,4", "--requests", "12", "--mock-fault", "http_500",
                                    "--mock-fault-every", "4", "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  ASSERT_EQ(array_size(root, "/stages"), 2u);
  expect_accounting(root);
  for (const char* st : {"/stages/0", "/stages/1"}) {
    EXPECT_EQ(integer(root, std::string(st) + "/phases/measured"), 12) << st;
    EXPECT_GT(integer(root, std::string(st) + "/summary/errors/http_5xx"), 0) << st;
  }
}

// Inter-token latency, like TTFT, TPOT and E2E, describes the requests that
// succeeded. The built-in server sends one token per event, so the succeeded
// requests give (tokens - 1) gaps each: output_tokens - requests_succeeded.
// Gaps streamed by requests that then failed (here: reset after 3 tokens)
// must not be in it.
TEST(LoadAccounting, InterTokenLatencyCoversOnlySucceededRequests) {
  TempDir dir;
  const std::string out = dir.file("itl.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--concurrency", "4",
                                    "--requests", "12", "--mock-fault", "reset_midstream", "--mock-fault-every", "3",
                                    "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  const std::int64_t succeeded = integer(root, "/stages/0/summary/requests_succeeded");
  ASSERT_GT(integer(root, "/stages/0/summary/requests_failed"), 0);
  EXPECT_EQ(integer(root, "/stages/0/summary/output_tokens"), 16 * succeeded);
  EXPECT_EQ(integer(root, "/stages/0/summary/ttft_ms/count"), succeeded);
  EXPECT_EQ(integer(root, "/stages/0/summary/tpot_ms/count"), succeeded);
  EXPECT_EQ(integer(root, "/stages/0/summary/e2e_ms/count"), succeeded);
  EXPECT_EQ(integer(root, "/stages/0/summary/itl_ms/count"), 15 * succeeded)
      << "ITL includes the gaps of requests that failed";
}

}  // namespace
}  // namespace llmbench::e2e
