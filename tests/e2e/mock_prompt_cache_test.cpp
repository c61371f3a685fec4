// The built-in server's prompt cache seen from llmbench: a prompt repeated
// (spec mode's warm-up, then its runs) is answered from the slot's cache, so
// the server's timings show cache_n and TTFT drops; --no-mock-prompt-cache
// turns that off.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Seen {
  double cache_n = -1;
  double prompt_n = -1;
  double ttft_ms = -1;
};

Seen run_twice(TempDir& dir, const std::string& name, bool cache) {
  const std::string out = dir.file(name);
  std::vector<std::string> args = {"--mock", "--mock-prompt-tps", "500", "--runs", "2", "--prompts", "cache_loops",
                                   "--max-tokens", "4", "--mock-decode-tps", "1000", "--output", out};
  if (!cache) args.push_back("--no-mock-prompt-cache");
  const RunResult r = run_llmbench(args);
  EXPECT_EQ(r.code(), 0) << r.why();
  Json j;
  if (!j.load(out)) return {};
  const auto root = j.root();
  Seen s;
  // Both runs came after the warm-up sent the same prompt.
  for (const char* run : {"/prompts/cache_loops/results/0", "/prompts/cache_loops/results/1"}) {
    s.cache_n = num(root, std::string(run) + "/timings/cache_n");
    s.prompt_n = num(root, std::string(run) + "/timings/prompt_n");
    s.ttft_ms = std::max(s.ttft_ms, num(root, std::string(run) + "/ttft_ms"));
  }
  return s;
}

TEST(MockPromptCacheE2e, RepeatedPromptIsServedFromTheCache) {
  TempDir dir;
  const Seen on = run_twice(dir, "on.json", true);
  const Seen off = run_twice(dir, "off.json", false);
  EXPECT_GT(on.cache_n, 10.0);
  EXPECT_EQ(on.prompt_n, 1.0);  // only the last prompt token evaluated again
  EXPECT_EQ(off.cache_n, 0.0);
  EXPECT_EQ(off.prompt_n, on.cache_n + 1.0);
  // 30-odd tokens at 500/s is >= 60 ms without the cache; one token is 2 ms.
  EXPECT_GE(off.ttft_ms, 55.0);
  EXPECT_LT(on.ttft_ms, off.ttft_ms / 2);
}

}  // namespace
}  // namespace llmbench::e2e
