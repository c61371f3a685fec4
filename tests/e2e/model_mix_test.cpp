// --model a=0.7,b=0.3 against the built-in server in router mode
// (--mock-models): each model gets about its share of the requests, each is
// served under its own name, and every figure is kept per model (JSON
// `models`, the terminal's model table); a model the router does not serve
// is refused with its 400, counted against that model alone.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(ModelMix, RequestsFollowTheWeightsAndFiguresArePerModel) {
  TempDir dir;
  const std::string out = dir.file("mix.json");
  const std::string csv = dir.file("mix.csv");
  const std::string html = dir.file("mix.html");
  const RunResult r =
      run_llmbench({"--mock", "--mock-models", "alpha,beta", "--mock-decode-tps", "2000", "--model",
                    "alpha=0.7,beta=0.3", "--concurrency", "8", "--requests", "200", "--max-tokens", "4",
                    "--output", out, "--csv", csv, "--html", html});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  for (const std::string prefix : {"", "/stages/0"}) {
    SCOPED_TRACE(prefix);
    ASSERT_EQ(array_size(j.root(), prefix + "/models"), 2u);
    EXPECT_EQ(str(j.root(), prefix + "/models/0/model"), "alpha");
    EXPECT_EQ(str(j.root(), prefix + "/models/1/model"), "beta");
    EXPECT_DOUBLE_EQ(num(j.root(), prefix + "/models/0/weight"), 0.7);
    const std::int64_t a = integer(j.root(), prefix + "/models/0/requests_succeeded");
    const std::int64_t b = integer(j.root(), prefix + "/models/1/requests_succeeded");
    EXPECT_EQ(a + b, 200);
    // The first 200 of 512 seeded slots: about 140 and 60, loosely.
    EXPECT_GT(a, 110);
    EXPECT_LT(a, 170);
    EXPECT_GT(num(j.root(), prefix + "/models/1/ttft_ms/p50"), 0.0);
    EXPECT_GT(num(j.root(), prefix + "/models/1/output_tokens_per_second"), 0.0);
    EXPECT_EQ(integer(j.root(), prefix + "/models/1/ttft_ms/count"), b);
  }
  // The router named the model each request went to.
  ASSERT_EQ(array_size(j.root(), "/served_models"), 2u);
  EXPECT_TRUE(contains(r.out, "weight")) << r.out;
  EXPECT_TRUE(contains(r.out, "alpha")) << r.out;
  EXPECT_TRUE(contains(r.out, "70.0%")) << r.out;
  // Each CSV row ends with the model its request asked for.
  const std::string rows = read_file(csv);
  EXPECT_TRUE(contains(rows, ",alpha\r\n")) << rows.substr(0, 400);
  EXPECT_TRUE(contains(rows, ",beta\r\n")) << rows.substr(0, 400);
  // The report's view model carries the per-model table.
  EXPECT_TRUE(contains(read_file(html), R"("models":[{"model":"alpha")"));
}

TEST(ModelMix, AModelTheRouterDoesNotServeFailsAlone) {
  TempDir dir;
  const std::string out = dir.file("mix.json");
  const RunResult r = run_llmbench({"--mock", "--mock-models", "alpha,beta", "--model", "alpha,gamma",
                                    "--concurrency", "4", "--requests", "40", "--max-tokens", "4", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();  // alpha's requests succeeded
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_DOUBLE_EQ(num(j.root(), "/models/1/weight"), 0.5);
  const std::int64_t served = integer(j.root(), "/models/0/requests_succeeded");
  const std::int64_t refused = integer(j.root(), "/models/1/errors/http_4xx");
  EXPECT_EQ(integer(j.root(), "/models/0/requests_failed"), 0);
  EXPECT_EQ(integer(j.root(), "/models/1/requests_succeeded"), 0);
  EXPECT_EQ(served + refused, 40);
  EXPECT_GT(served, 10);
  EXPECT_GT(refused, 10);
  EXPECT_TRUE(contains(str(j.root(), "/stages/0/error_messages/http_4xx/0"), "model not found"));
}

TEST(ModelMix, TheMixComesFromAConfigFileToo) {
  TempDir dir;
  const std::string cfg = dir.file("mix.json");
  write_file(cfg, R"({"model": "alpha=1,beta=3", "mock_models": "alpha,beta"})");
  const std::string out = dir.file("out.json");
  const RunResult r = run_llmbench({"--mock", "--config", cfg, "--concurrency", "2", "--requests", "8",
                                    "--max-tokens", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_DOUBLE_EQ(num(j.root(), "/models/1/weight"), 0.75);
}

TEST(ModelMix, BadMixesAreOneLineNamingTheFlag) {
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--model", "a=0.7,a=0.3"},
                                             {"--model", "a=0.7,b=0"},
                                             {"--model", "a=0.7,=0.3"},
                                             {"--model", "a=0.7,b"},
                                             {"--model", "a=x,b=1"}}) {
    std::vector<std::string> args = {"--mock", "--concurrency", "1", "--requests", "1"};
    args.insert(args.end(), bad.begin(), bad.end());
    const RunResult r = run_llmbench(args);
    EXPECT_EQ(r.code(), 2) << bad[1] << ": " << r.why();
    EXPECT_TRUE(contains(r.err, "--model")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  const RunResult spec = run_llmbench({"--mock", "--model", "a,b", "--runs", "1"});
  EXPECT_EQ(spec.code(), 2) << spec.why();
  EXPECT_TRUE(contains(spec.err, "load mode")) << spec.err;
}

}  // namespace
}  // namespace llmbench::e2e
