// A dataset with tools and image content parts, against the built-in server
// answering tools with tool calls (--mock-tool-calls): the tools reach the
// server unchanged (else it would answer text), every reply is a call whose
// deltas count as generated tokens, and the tool calls are reported apart
// (JSON tool_call_requests / tool_call_events, one terminal line).
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

constexpr std::string_view kRows =
    R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "What is in this picture?"}, )"
    R"({"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE="}}]}], )"
    R"("tools": [{"type": "function", "function": {"name": "describe_image", "parameters": {"type": "object"}}}]})"
    "\n"
    R"({"messages": [{"role": "user", "content": "Weather in Paris?"}], "tool_choice": "auto", )"
    R"("tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]})"
    "\n";

TEST(ToolCalls, DatasetToolsAndImagesReachTheServerAndCallsAreCountedApart) {
  TempDir dir;
  const std::string data = dir.file("tools.jsonl");
  write_file(data, kRows);
  const std::string out = dir.file("out.json");
  const RunResult r = run_llmbench({"--mock", "--mock-tool-calls", "--dataset", data, "--concurrency", "2",
                                    "--requests", "8", "--max-tokens", "6", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  for (const std::string prefix : {"/summary", "/stages/0/summary"}) {
    SCOPED_TRACE(prefix);
    EXPECT_EQ(integer(j.root(), prefix + "/requests_succeeded"), 8);
    EXPECT_EQ(integer(j.root(), prefix + "/tool_call_requests"), 8);
    EXPECT_EQ(integer(j.root(), prefix + "/tool_call_events"), 8 * 6);
    EXPECT_EQ(integer(j.root(), prefix + "/output_tokens"), 8 * 6);  // a call's tokens are output
  }
  EXPECT_TRUE(contains(r.out, "Tool calls: 8 of 8 replies called a tool, in 48 tool-call events")) << r.out;
}

TEST(ToolCalls, WithoutToolsTheFiguresAreZeroAndTheLineIsAbsent) {
  TempDir dir;
  const std::string out = dir.file("out.json");
  const RunResult r = run_llmbench({"--mock", "--mock-tool-calls", "--concurrency", "2", "--requests", "4",
                                    "--max-tokens", "4", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_EQ(integer(j.root(), "/summary/tool_call_requests"), 0);
  EXPECT_FALSE(contains(r.out, "Tool calls:")) << r.out;
}

}  // namespace
}  // namespace llmbench::e2e
