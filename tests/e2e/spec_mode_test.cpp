// Spec mode (the guide's benchmark) against the built-in server: the JSON
// layout the guide documents, the speed the server was told to run at, and
// the other endpoints and non-streamed responses.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

// The fields of one entry of prompts.<key>.results, as the guide's script
// wrote them (plus llmbench's TTFT and decode rate).
void expect_run_fields(simdjson::dom::element run, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_TRUE(has(run, "/success"));
  EXPECT_TRUE(has(run, "/error"));
  EXPECT_TRUE(has(run, "/completion_tokens"));
  EXPECT_TRUE(has(run, "/prompt_tokens"));
  EXPECT_TRUE(has(run, "/duration_s"));
  EXPECT_TRUE(has(run, "/tokens_per_second"));
  EXPECT_TRUE(has(run, "/ttft_ms"));
  EXPECT_TRUE(has(run, "/decode_tokens_per_second"));
  EXPECT_TRUE(has(run, "/token_source"));
}

TEST(SpecMode, GuideJsonLayoutAndServerSpeed) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  // 64 tokens at 200 tok/s: 315 ms of decoding after the first token.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "200", "--max-tokens", "64", "--prompts",
                                    "memory_sequential,cache_loops", "--runs", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();

  EXPECT_FALSE(str(root, "/system_info/model").empty());
  EXPECT_GE(integer(root, "/system_info/hugepages_total"), 0);
  EXPECT_GE(integer(root, "/system_info/hugepages_free"), 0);
  EXPECT_LE(integer(root, "/system_info/hugepages_free"), integer(root, "/system_info/hugepages_total"));
  EXPECT_FALSE(boolean(root, "/interrupted"));

  double sum_of_avgs = 0;
  for (const std::string key : {"memory_sequential", "cache_loops"}) {
    SCOPED_TRACE(key);
    const std::string p = "/prompts/" + key;
    EXPECT_FALSE(str(root, p + "/prompt_text").empty());
    ASSERT_EQ(array_size(root, p + "/results"), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string rp = p + "/results/" + std::to_string(i);
      expect_run_fields(at(root, rp), rp);
      EXPECT_TRUE(boolean(root, rp + "/success"));
      EXPECT_TRUE(is_null(root, rp + "/error")) << rp << "/error should be null";
      EXPECT_EQ(integer(root, rp + "/completion_tokens"), 64);
      EXPECT_GT(integer(root, rp + "/prompt_tokens"), 0);
      EXPECT_GT(num(root, rp + "/duration_s"), 0.0);
      EXPECT_GT(num(root, rp + "/ttft_ms"), 0.0);
      const std::string source = str(root, rp + "/token_source");
      EXPECT_TRUE(source == "events" || source == "usage" || source == "timings") << source;
      // Per-run rate: tokens over the whole request, so TTFT makes it a
      // little lower than the server's decode rate, never higher.
      const double tps = num(root, rp + "/tokens_per_second");
      EXPECT_GT(tps, 0.80 * 200) << rp;
      EXPECT_LT(tps, 1.05 * 200) << rp;
      // Decode rate: tokens after the first over the time after the first.
      const double decode = num(root, rp + "/decode_tokens_per_second");
      EXPECT_NEAR(decode, 200.0, 20.0) << rp;
      // The per-run figure is what the JSON says it is.
      EXPECT_NEAR(tps, 64.0 / num(root, rp + "/duration_s"), 0.01 * tps) << rp;
    }
    const double avg = num(root, p + "/stats/avg_tokens_per_second");
    EXPECT_GT(avg, 0.80 * 200);
    EXPECT_LT(avg, 1.05 * 200);
    EXPECT_NEAR(avg,
                (num(root, p + "/results/0/tokens_per_second") + num(root, p + "/results/1/tokens_per_second")) / 2,
                1e-6 * avg);
    EXPECT_EQ(num(root, p + "/stats/success_rate"), 1.0);
    sum_of_avgs += avg;
  }
  // The guide's overall figure: the mean of the per-prompt averages.
  EXPECT_NEAR(num(root, "/summary/overall_avg_tokens_per_second"), sum_of_avgs / 2, 1e-6 * sum_of_avgs);
}

TEST(SpecMode, ResultsFileOnlyHoldsTheChosenPrompts) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "compute_arithmetic", "--runs", "1", "--warmup", "0", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  simdjson::dom::object prompts;
  ASSERT_EQ(j.root()["prompts"].get(prompts), simdjson::SUCCESS);
  ASSERT_EQ(prompts.size(), 1u);
  EXPECT_TRUE(has(j.root(), "/prompts/compute_arithmetic/results/0"));
}

// Each endpoint flavour and the non-streamed body generate what was asked.
struct EndpointCase {
  const char* name;
  std::vector<std::string> flags;
};

class SpecEndpoints : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(SpecEndpoints, TokenCountsEqualMaxTokens) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  std::vector<std::string> a = {"--mock", "--mock-decode-tps", "1000", "--max-tokens", "24", "--prompts",
                                "cache_loops", "--runs", "2", "--output", out};
  a.insert(a.end(), GetParam().flags.begin(), GetParam().flags.end());
  const RunResult r = run_llmbench(a);
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  ASSERT_EQ(array_size(j.root(), "/prompts/cache_loops/results"), 2u);
  for (int i = 0; i < 2; ++i) {
    const std::string rp = "/prompts/cache_loops/results/" + std::to_string(i);
    EXPECT_TRUE(boolean(j.root(), rp + "/success")) << rp;
    EXPECT_EQ(integer(j.root(), rp + "/completion_tokens"), 24) << rp;
    EXPECT_GT(num(j.root(), rp + "/tokens_per_second"), 0.0) << rp;
  }
  EXPECT_EQ(num(j.root(), "/prompts/cache_loops/stats/success_rate"), 1.0);
}

INSTANTIATE_TEST_SUITE_P(
    Flavours, SpecEndpoints,
    ::testing::Values(EndpointCase{"chat_no_stream", {"--no-stream"}},
                      EndpointCase{"completions", {"--endpoint", "completions"}},
                      EndpointCase{"native", {"--endpoint", "native"}},
                      EndpointCase{"completions_no_stream", {"--endpoint", "completions", "--no-stream"}},
                      EndpointCase{"native_no_stream", {"--endpoint", "native", "--no-stream"}}),
    [](const ::testing::TestParamInfo<EndpointCase>& p) { return std::string(p.param.name); });

// A non-streamed response arrives whole: there is no first token to time.
// Reporting the whole response time as "TTFT" (which the terminal explains
// as "request sent to first generated token") would be wrong by the entire
// decode time; the field must be null, or a server-reported figure that is
// plausibly a TTFT (well below the whole request).
TEST(SpecMode, NonStreamedRunsDoNotReportTheWholeResponseAsTtft) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  // 32 tokens at 200 tok/s: ~160 ms of decoding after a ~17 ms prompt.
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "200", "--max-tokens", "32", "--prompts",
                                    "cache_loops", "--runs", "1", "--warmup", "0", "--no-stream", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  const std::string rp = "/prompts/cache_loops/results/0";
  ASSERT_TRUE(boolean(root, rp + "/success"));
  if (!is_null(root, rp + "/ttft_ms")) {
    const double duration_ms = num(root, rp + "/duration_s") * 1000;
    EXPECT_LT(num(root, rp + "/ttft_ms"), 0.5 * duration_ms)
        << "ttft_ms of a non-streamed response is its whole duration (" << duration_ms << " ms)";
  }
}

// Naming a prompt twice must not give a results file with a duplicate JSON
// key: json.load (the guide's comparison) silently keeps only the last one.
// Rejecting the list (exit 2, nothing sent) or running the prompt under one
// key are both fine.
TEST(SpecMode, RepeatedPromptKeyDoesNotDuplicateJsonKeys) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "cache_loops,cache_loops", "--runs", "1", "--warmup", "0", "--output", out});
  if (r.code() == 2) {
    EXPECT_TRUE(contains(r.err, "cache_loops")) << r.err;
    EXPECT_FALSE(file_exists(out));
    return;
  }
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  simdjson::dom::object prompts;
  ASSERT_EQ(j.root()["prompts"].get(prompts), simdjson::SUCCESS);
  std::vector<std::string> keys;
  for (auto [key, value] : prompts) keys.emplace_back(key);
  EXPECT_EQ(keys, std::vector<std::string>{"cache_loops"}) << "prompts object keys repeat";
}

}  // namespace
}  // namespace llmbench::e2e
