// Load mode's other prompt sources (a dataset file, synthetic prompts) and
// goodput against an SLO.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(LoadPrompts, DatasetEntriesKeepTheirOwnMaxTokens) {
  TempDir dir;
  const std::string data = dir.file("prompts.jsonl");
  write_file(data, "{\"prompt\": \"Say hello\", \"max_tokens\": 12}\n{\"prompt\": \"Count to ten\", \"max_tokens\": 20}\n");
  const std::string out = dir.file("dataset.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--dataset", data, "--concurrency", "2",
                                    "--requests", "6", "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 6);
  // Six requests taking the two entries in turn: 3 x 12 + 3 x 20 tokens.
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 96);
}

TEST(LoadPrompts, MalformedDatasetIsAUsageError) {
  TempDir dir;
  const std::string data = dir.file("bad.jsonl");
  write_file(data, "{\"prompt\": 5}\n");
  const RunResult r = run_llmbench({"--mock", "--dataset", data, "--requests", "2"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, data)) << r.err;
}

TEST(LoadPrompts, SyntheticPromptsGenerateTheRequestedOutput) {
  TempDir dir;
  const std::string out = dir.file("synthetic.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--input-tokens", "64", "--output-tokens",
                                    "16", "--concurrency", "2", "--requests", "6", "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 6);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 6 * 16);
  // The chat template adds a few tokens to the 64 of each prompt.
  const std::int64_t input = integer(j.root(), "/stages/0/summary/input_tokens");
  EXPECT_GE(input, 6 * 64);
  EXPECT_LE(input, 6 * (64 + 32));
}

TEST(LoadSlo, GoodputCountsRequestsWithinTheBounds) {
  TempDir dir;
  // 100 tok/s per slot: 10 ms per output token.
  struct Case {
    const char* slo;
    double share;
  };
  for (const Case c : {Case{"tpot_ms=50", 1.0}, Case{"tpot_ms=5", 0.0}, Case{"ttft_ms=2000,e2e_ms=5000", 1.0}}) {
    const std::string out = dir.file("slo.json");
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "100", "--max-tokens", "16", "--concurrency",
                                      "4", "--requests", "8", "--slo", c.slo, "--threads", "2", "--output", out});
    ASSERT_EQ(r.code(), 0) << c.slo << ": " << r.why();
    Json j;
    ASSERT_TRUE(j.load(out));
    EXPECT_EQ(num(j.root(), "/stages/0/summary/goodput/share"), c.share) << c.slo;
    EXPECT_EQ(integer(j.root(), "/stages/0/summary/goodput/requests"), c.share > 0 ? 8 : 0) << c.slo;
    EXPECT_TRUE(contains(r.out, "Goodput:")) << r.out;
  }
}

}  // namespace
}  // namespace llmbench::e2e
