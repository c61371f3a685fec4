// What a reply says about itself (issue 12, items 4 and 6), as a user sees
// it against the built-in server: a model that answers nothing, a context
// that cuts replies short, a prompt longer than the context, and a server
// that serves another model than the one named.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

const std::vector<std::string> kFast = {"--mock", "--mock-decode-tps", "2000", "--no-progress"};

std::vector<std::string> with(std::vector<std::string> args) {
  args.insert(args.begin(), kFast.begin(), kFast.end());
  return args;
}

TEST(RealServerReplies, AnEmptyReplyIsAFailureOfKindEmptyInSpecMode) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  // Every second completion answers nothing: runs 2 and 4.
  const RunResult r = run_llmbench(with({"--mock-fault", "empty_reply", "--mock-fault-every", "2", "--prompts",
                                         "cache_loops", "--runs", "4", "--warmup", "0", "--max-tokens", "8", "--output",
                                         out}));
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "Failures: 2 of 4 runs (empty 2)")) << r.out;
  EXPECT_TRUE(contains(r.out, "first failure: empty: empty reply: no generated content (finish_reason stop, 1 "
                              "completion token)"))
      << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/summary/errors/empty"), 2);
  EXPECT_EQ(integer(j.root(), "/prompts/cache_loops/stats/errors/empty"), 2);
  EXPECT_EQ(num(j.root(), "/prompts/cache_loops/stats/success_rate"), 0.5);
  EXPECT_EQ(str(j.root(), "/prompts/cache_loops/results/1/error"), "empty");
  EXPECT_EQ(str(j.root(), "/prompts/cache_loops/results/1/finish_reason"), "stop");
  EXPECT_EQ(str(j.root(), "/prompts/cache_loops/results/0/finish_reason"), "length");
}

TEST(RealServerReplies, AnEmptyReplyIsAFailureOfKindEmptyInLoadMode) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench(with({"--mock-fault", "empty_reply", "--mock-fault-every", "2", "--concurrency", "2",
                                         "--requests", "6", "--max-tokens", "8", "--output", out}));
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "Errors: empty 3")) << r.out;
  EXPECT_TRUE(contains(r.out, "first failure (empty): empty reply: no generated content (finish_reason stop")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/errors/empty"), 3);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/requests_succeeded"), 3);
  EXPECT_TRUE(contains(str(j.root(), "/stages/0/error_messages/empty/0"), "empty reply"));
}

// cache_loops is some 30 prompt tokens: a 100-token context leaves room for
// about 70 of the 128 asked for.
TEST(RealServerReplies, RepliesCutByTheContextAreCountedAndWarnedAboutInSpecMode) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench(with({"--mock-ctx-per-slot", "100", "--prompts", "cache_loops,compute_arithmetic",
                                         "--runs", "2", "--max-tokens", "128", "--output", out}));
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "WARNING: 4 of 4 replies (cache_loops 2, compute_arithmetic 2) were truncated before "
                              "max_tokens"))
      << r.out;
  EXPECT_TRUE(contains(r.err, "TRUNCATED at ")) << r.err;
  EXPECT_TRUE(contains(r.err, " of 128 tokens (finish_reason length)")) << r.err;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/summary/truncated"), 4);
  EXPECT_EQ(integer(j.root(), "/prompts/cache_loops/stats/truncated"), 2);
  EXPECT_EQ(integer(j.root(), "/summary/requests_succeeded"), 4) << "truncated replies still succeed";
  EXPECT_TRUE(boolean(j.root(), "/prompts/cache_loops/results/0/truncated"));
  EXPECT_EQ(str(j.root(), "/prompts/cache_loops/results/0/finish_reason"), "length");
  EXPECT_LT(integer(j.root(), "/prompts/cache_loops/results/0/completion_tokens"), 128);
}

TEST(RealServerReplies, RepliesCutByTheContextAreCountedPerStageOnEveryEndpoint) {
  for (const char* endpoint : {"chat", "completions", "native"}) {
    SCOPED_TRACE(endpoint);
    TempDir dir;
    const std::string out = dir.file("r.json");
    const RunResult r = run_llmbench(with({"--endpoint", endpoint, "--mock-ctx-per-slot", "100", "--prompts",
                                           "cache_loops", "--concurrency", "2", "--requests", "4", "--max-tokens", "128",
                                           "--output", out}));
    ASSERT_EQ(r.code(), 0) << r.why();
    EXPECT_TRUE(contains(r.out, "  WARNING: 4 of 4 replies were truncated before max_tokens")) << r.out;
    Json j;
    ASSERT_TRUE(j.load(out));
    EXPECT_EQ(integer(j.root(), "/stages/0/summary/truncated"), 4);
    EXPECT_EQ(integer(j.root(), "/summary/truncated"), 4);
  }
  // Within the context: nothing to warn about.
  const RunResult fits = run_llmbench(with({"--prompts", "cache_loops", "--concurrency", "2", "--requests", "2",
                                            "--max-tokens", "16"}));
  ASSERT_EQ(fits.code(), 0) << fits.why();
  EXPECT_FALSE(contains(fits.out, "truncated")) << fits.out;
}

// A model that stops by itself after 10 of the 32 tokens asked for: not a
// failure, not a truncation, but a note that --ignore-eos would measure
// what was planned; with it, the replies run to max_tokens.
TEST(RealServerReplies, EarlyStopsSuggestIgnoreEos) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench(with({"--mock-eos-after-tokens", "10", "--prompts", "cache_loops", "--concurrency",
                                         "1", "--requests", "2", "--max-tokens", "32", "--output", out}));
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "  Note: 2 of 2 replies ended by the model's own stop before max_tokens; --ignore-eos "
                              "makes the server generate exactly max_tokens"))
      << r.out;
  EXPECT_FALSE(contains(r.out, "truncated")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/stopped_before_max_tokens"), 2);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/truncated"), 0);
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 20);
  const RunResult eos = run_llmbench(with({"--mock-eos-after-tokens", "10", "--prompts", "cache_loops", "--concurrency",
                                           "1", "--requests", "2", "--max-tokens", "32", "--ignore-eos", "--output",
                                           out}));
  ASSERT_EQ(eos.code(), 0) << eos.why();
  EXPECT_FALSE(contains(eos.out, "Note:")) << eos.out;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/output_tokens"), 64);
}

TEST(RealServerReplies, APromptOverTheContextShowsTheServersMessage) {
  const std::string exceed = "exceeds the available context size (8 tokens), try increasing it";
  TempDir dir;
  const std::string spec_out = dir.file("spec.json");
  const RunResult spec = run_llmbench(with({"--mock-ctx-per-slot", "8", "--prompts", "cache_loops", "--runs", "1",
                                            "--warmup", "0", "--output", spec_out}));
  EXPECT_TRUE(contains(spec.out, "first failure: http_4xx: HTTP 400: request (")) << spec.out;
  EXPECT_TRUE(contains(spec.out, exceed)) << spec.out;
  const std::string load_out = dir.file("load.json");
  const RunResult load = run_llmbench(with({"--mock-ctx-per-slot", "8", "--prompts", "cache_loops", "--concurrency",
                                            "1", "--requests", "2", "--output", load_out}));
  EXPECT_TRUE(contains(load.out, "first failure (http_4xx): HTTP 400: request (")) << load.out;
  Json j;
  ASSERT_TRUE(j.load(load_out));
  EXPECT_TRUE(contains(str(j.root(), "/stages/0/error_messages/http_4xx/0"), exceed));
  EXPECT_EQ(integer(j.root(), "/stages/0/summary/errors/http_4xx"), 2);
}

TEST(RealServerReplies, TheServedModelIsShownBesideTheRequestedOne) {
  TempDir dir;
  const std::string out = dir.file("r.json");
  const RunResult r = run_llmbench(with({"--model", "foo-model", "--prompts", "cache_loops", "--runs", "1",
                                         "--max-tokens", "4", "--output", out}));
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.out, "Model: requested foo-model, served mock-llama-q4_k_m.gguf\n")) << r.out;
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(str(j.root(), "/served_model"), "/models/mock-llama-q4_k_m.gguf");
  EXPECT_EQ(str(j.root(), "/system_info/model"), "foo-model");
  // Load mode, and the same model named: one plain line.
  const RunResult same = run_llmbench(with({"--model", "/models/mock-llama-q4_k_m.gguf", "--concurrency", "1",
                                            "--requests", "1", "--max-tokens", "4"}));
  ASSERT_EQ(same.code(), 0) << same.why();
  EXPECT_TRUE(contains(same.out, "Model: mock-llama-q4_k_m.gguf\n")) << same.out;
}

}  // namespace
}  // namespace llmbench::e2e
