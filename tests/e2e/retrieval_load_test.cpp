// Load runs against the built-in server's embeddings and rerank endpoints:
// every request counted, the server's input tokens summed, requests/s and
// input tokens/s measured, and no token-timing figure anywhere (they do not
// apply to an answer that generates nothing). Spec mode is refused.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

void expect_retrieval_summary(simdjson::dom::element root, std::string_view ptr, std::int64_t requests) {
  SCOPED_TRACE(std::string(ptr));
  const std::string p(ptr);
  EXPECT_EQ(integer(root, p + "/requests_succeeded"), requests);
  EXPECT_EQ(integer(root, p + "/requests_failed"), 0);
  EXPECT_GT(integer(root, p + "/input_tokens"), requests);  // several tokens each, from usage.prompt_tokens
  EXPECT_EQ(integer(root, p + "/output_tokens"), 0);
  EXPECT_GT(num(root, p + "/request_throughput"), 0.0);
  EXPECT_GT(num(root, p + "/input_tokens_per_second"), 0.0);
  EXPECT_TRUE(is_null(root, p + "/output_tokens_per_second"));
  EXPECT_EQ(integer(root, p + "/e2e_ms/count"), requests);
  for (const char* absent : {"/ttft_ms", "/ttfo_ms", "/itl_ms", "/tpot_ms", "/tokens_per_second_per_request",
                             "/ttft_from_intended_ms"}) {
    EXPECT_FALSE(has(root, p + absent)) << absent;
  }
}

void expect_no_token_timings(const std::string& terminal) {
  EXPECT_TRUE(contains(terminal, "input tok/s")) << terminal;
  EXPECT_TRUE(contains(terminal, "E2E")) << terminal;
  for (const char* absent : {"TTFT ", "ITL ", "TPOT ", "output tok/s"}) {
    EXPECT_FALSE(contains(terminal, absent)) << absent << " in:\n" << terminal;
  }
}

TEST(RetrievalLoad, EmbeddingsClosedLoop) {
  TempDir dir;
  const std::string out = dir.file("embeddings.json");
  const RunResult r = run_llmbench({"--mock", "--endpoint", "embeddings", "--concurrency", "4", "--requests", "24",
                                    "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(str(j.root(), "/load/endpoint"), "embeddings");
  EXPECT_FALSE(boolean(j.root(), "/load/stream"));
  expect_retrieval_summary(j.root(), "/summary", 24);
  expect_retrieval_summary(j.root(), "/stages/0/summary", 24);
  expect_no_token_timings(r.out);
}

TEST(RetrievalLoad, RerankOpenLoop) {
  TempDir dir;
  const std::string out = dir.file("rerank.json");
  const RunResult r = run_llmbench({"--mock", "--endpoint", "rerank", "--rate", "40", "--requests", "20", "--threads",
                                    "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(str(j.root(), "/load/endpoint"), "rerank");
  expect_retrieval_summary(j.root(), "/summary", 20);
  EXPECT_GT(integer(j.root(), "/summary/e2e_from_intended_ms/count"), 0);
  expect_no_token_timings(r.out);
}

TEST(RetrievalLoad, EmbeddingsSweep) {
  TempDir dir;
  const std::string out = dir.file("sweep.json");
  const RunResult r = run_llmbench({"--mock", "--endpoint", "embeddings", "--sweep", "concurrency=1,4", "--requests",
                                    "12", "--threads", "2", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  ASSERT_EQ(array_size(j.root(), "/stages"), 2u);
  expect_retrieval_summary(j.root(), "/stages/0/summary", 12);
  expect_retrieval_summary(j.root(), "/stages/1/summary", 12);
  EXPECT_TRUE(contains(r.out, "in tok/s")) << r.out;
}

TEST(RetrievalLoad, SpecModeIsAUsageError) {
  for (const char* endpoint : {"embeddings", "rerank"}) {
    SCOPED_TRACE(endpoint);
    TempDir dir;
    const RunResult r = run_llmbench({"--mock", "--endpoint", endpoint, "--output", dir.file("spec.json")});
    EXPECT_EQ(r.code(), 2) << r.why();
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "spec mode")) << r.err;
  }
}

TEST(RetrievalLoad, TokenTimeSloIsAUsageError) {
  TempDir dir;
  const RunResult r = run_llmbench({"--mock", "--endpoint", "embeddings", "--concurrency", "2", "--requests", "4",
                                    "--slo", "ttft_ms=100", "--output", dir.file("slo.json")});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_TRUE(contains(r.err, "e2e_ms")) << r.err;
  // An E2E bound is the one that applies: goodput counts against it.
  const std::string out = dir.file("slo-e2e.json");
  const RunResult ok = run_llmbench({"--mock", "--endpoint", "embeddings", "--concurrency", "2", "--requests", "4",
                                     "--slo", "e2e_ms=60000", "--output", out});
  ASSERT_EQ(ok.code(), 0) << ok.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/summary/goodput/requests"), 4);
}

}  // namespace
}  // namespace llmbench::e2e
