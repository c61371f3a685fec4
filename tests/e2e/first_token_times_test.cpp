// TTFT vs TTFO end to end: the built-in server streams its first N tokens as
// reasoning_content (--mock-reasoning-tokens), and llmbench must report the
// first generated token and the first visible output token apart, the
// reasoning/content split, and llama-server's timings joined to each run.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

// 20 reasoning tokens at 500 tok/s: the first content token is not due
// before 20 gaps (40 ms) after the first token, which the server never sends
// early; a late first token can only narrow the gap, never close it.
TEST(FirstTokenTimes, SpecRunSeparatesReasoningFromOutput) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "500", "--mock-reasoning-tokens", "20",
                                    "--max-tokens", "32", "--runs", "2", "--prompts", "cache_loops", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_NE(r.out.find("TTFO p50 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Server view"), std::string::npos) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  for (const char* run : {"/prompts/cache_loops/results/0", "/prompts/cache_loops/results/1"}) {
    const std::string p = run;
    const double ttft = num(root, p + "/ttft_ms");
    const double ttfo = num(root, p + "/ttfo_ms");
    EXPECT_GE(ttfo, 20 * 2.0 * 0.95) << p;
    EXPECT_GT(ttfo, ttft) << p;
    EXPECT_EQ(integer(root, p + "/reasoning_tokens"), 20) << p;
    EXPECT_EQ(integer(root, p + "/content_tokens"), 12) << p;
    EXPECT_GE(num(root, p + "/prefill_ms"), 0.0) << p;
    EXPECT_NEAR(num(root, p + "/server_decode_tokens_per_second"), 500.0, 100.0) << p;
  }
  EXPECT_EQ(integer(root, "/prompts/cache_loops/stats/ttfo_ms/count"), 2);
  EXPECT_EQ(num(root, "/prompts/cache_loops/stats/avg_reasoning_tokens"), 20.0);
  EXPECT_EQ(integer(root, "/prompts/cache_loops/stats/server_view/requests_with_timings"), 2);
}

// Without reasoning, TTFO is TTFT and the spec table keeps the guide's columns.
TEST(FirstTokenTimes, WithoutReasoningTtfoEqualsTtft) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "8", "--runs", "1",
                                    "--prompts", "cache_loops", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_EQ(r.out.find("TTFO"), std::string::npos) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(num(root, "/prompts/cache_loops/results/0/ttfo_ms"), num(root, "/prompts/cache_loops/results/0/ttft_ms"));
  EXPECT_EQ(integer(root, "/prompts/cache_loops/results/0/reasoning_tokens"), 0);
}

// Load mode: stages[].summary.ttfo_ms beside ttft_ms, and the token split.
TEST(FirstTokenTimes, LoadStageReportsTtfoAndTheSplit) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  // 5 reasoning tokens at 200 tok/s: 25 ms between the first token and the
  // first output, wide enough that a busy host's catch-up cannot merge them.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "200", "--mock-reasoning-tokens", "5",
                                    "--max-tokens", "10", "--concurrency", "2", "--requests", "6", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_NE(r.out.find("TTFO"), std::string::npos) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(integer(root, "/stages/0/summary/ttfo_ms/count"), 6);
  EXPECT_GT(num(root, "/stages/0/summary/ttfo_ms/p50"), num(root, "/stages/0/summary/ttft_ms/p50"));
  EXPECT_EQ(integer(root, "/stages/0/summary/reasoning_tokens_total"), 30);
  EXPECT_EQ(integer(root, "/stages/0/summary/content_tokens_total"), 30);
}

// --mock-tokens-per-event 4: every event carries 4 tokens; ITL per token is
// a quarter of the raw gap between events, both reported.
TEST(TokensPerEvent, ItlPerTokenAndRawGapsApart) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "200", "--mock-tokens-per-event", "4",
                                    "--max-tokens", "16", "--concurrency", "2", "--requests", "4", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_NE(r.out.find("Gap/event"), std::string::npos) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_NEAR(num(root, "/stages/0/summary/tokens_per_event/mean"), 4.0, 0.01);
  EXPECT_EQ(integer(root, "/stages/0/summary/count_disagreements/count_vs_events"), 4);
  // 4 tokens at 200 tok/s: events 20 ms apart, 5 ms per token.
  EXPECT_GE(num(root, "/stages/0/summary/inter_event_ms/p50"), 19.0);
  EXPECT_NEAR(num(root, "/stages/0/summary/itl_ms/p50") * 4, num(root, "/stages/0/summary/inter_event_ms/p50"), 1.0);
}

// A server that honours stream_options.continuous_usage_stats (vLLM): each
// event's usage says its tokens, so the odd last event (3 + 3 + ... + 1 of
// 31 tokens) is counted as one token, not as the average; --continuous-usage
// off leaves the field out and the count is spread evenly again.
TEST(TokensPerEvent, EventUsageCountsEachEventsOwnTokens) {
  TempDir dir;
  const auto run = [&dir](const std::string& name, const char* mode) {
    const std::string out = dir.file(name);
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "400", "--mock-tokens-per-event", "3",
                                      "--mock-continuous-usage", "--max-tokens", "31", "--concurrency", "2",
                                      "--requests", "4", "--continuous-usage", mode, "--no-progress", "--output", out});
    EXPECT_EQ(r.code(), 0) << r.why();
    return r;
  };
  const RunResult on = run("on.json", "on");
  const RunResult off = run("off.json", "off");
  EXPECT_NE(on.out.find("every event's own count, from its usage"), std::string::npos) << on.out;
  EXPECT_NE(off.out.find("each request's count spread evenly over its events"), std::string::npos) << off.out;
  Json j_on, j_off;
  ASSERT_TRUE(j_on.load(dir.file("on.json")));
  ASSERT_TRUE(j_off.load(dir.file("off.json")));
  EXPECT_EQ(integer(j_on.root(), "/stages/0/summary/tokens_from_event_usage"), 4);
  EXPECT_EQ(integer(j_off.root(), "/stages/0/summary/tokens_from_event_usage"), 0);
  EXPECT_EQ(str(j_on.root(), "/config/continuous_usage"), "on");
  // Both count 31 tokens a request; the split differs, not the total.
  EXPECT_EQ(integer(j_on.root(), "/stages/0/summary/output_tokens"), 4 * 31);
  EXPECT_EQ(integer(j_off.root(), "/stages/0/summary/output_tokens"), 4 * 31);
}

}  // namespace
}  // namespace llmbench::e2e
