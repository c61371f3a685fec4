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

// Spec runs of two prompts and the cache each measured run met: cache_n of
// every run, prompt by prompt, and the run's prompt_cache block.
struct CacheRuns {
  RunResult run;
  std::vector<double> cache_n;  // memory_sequential's runs, then cache_loops'
  bool loaded = false;
};

CacheRuns spec_cache_runs(TempDir& dir, const std::string& name, std::vector<std::string> extra) {
  const std::string out = dir.file(name);
  std::vector<std::string> args = {"--mock", "--mock-prompt-tps", "500", "--runs", "3", "--prompts",
                                   "memory_sequential,cache_loops", "--max-tokens", "4", "--mock-decode-tps", "1000",
                                   "--no-progress", "--output", out};
  args.insert(args.end(), extra.begin(), extra.end());
  CacheRuns c{run_llmbench(args), {}, false};
  Json j;
  if (c.run.code() != 0 || !j.load(out)) return c;
  c.loaded = true;
  for (const char* prompt : {"memory_sequential", "cache_loops"}) {
    for (int i = 0; i < 3; ++i) {
      c.cache_n.push_back(num(j.root(), "/prompts/" + std::string(prompt) + "/results/" + std::to_string(i) +
                                            "/timings/cache_n"));
    }
  }
  return c;
}

// The default: each prompt's warm-up comes right before its runs, so every
// measured run of every prompt meets a warm cache. (With one warm-up for the
// whole list, cache_loops' first run met memory_sequential's prompt and
// evaluated its own in full: a cold run among warm ones.)
TEST(SpecCacheHygiene, EveryMeasuredRunOfAPromptMeetsTheSameCache) {
  TempDir dir;
  const CacheRuns c = spec_cache_runs(dir, "warm.json", {});
  ASSERT_TRUE(c.loaded) << c.run.why();
  ASSERT_EQ(c.cache_n.size(), 6u);
  for (std::size_t i = 0; i < c.cache_n.size(); ++i) EXPECT_GT(c.cache_n[i], 10.0) << "run " << i;
  EXPECT_NE(c.run.out.find("NOTE: 6 of 6 measured runs reused the server's prompt cache"), std::string::npos)
      << c.run.out;
  EXPECT_NE(c.run.err.find("1 warm-up request(s) per prompt"), std::string::npos) << c.run.err;
}

TEST(SpecCacheHygiene, CachePromptOffSendsFalseAndEveryRunIsCold) {
  TempDir dir;
  const CacheRuns c = spec_cache_runs(dir, "off.json", {"--cache-prompt", "off"});
  ASSERT_TRUE(c.loaded) << c.run.why();
  for (std::size_t i = 0; i < c.cache_n.size(); ++i) EXPECT_EQ(c.cache_n[i], 0.0) << "run " << i;
  Json j;
  ASSERT_TRUE(j.load(dir.file("off.json")));
  EXPECT_EQ(str(j.root(), "/prompt_cache/cache_prompt"), "off");
  EXPECT_EQ(str(j.root(), "/config/cache_prompt"), "off");
  EXPECT_NE(c.run.out.find("Prompt cache: off (every request sent cache_prompt: false)"), std::string::npos)
      << c.run.out;
  EXPECT_EQ(c.run.out.find("NOTE:"), std::string::npos) << c.run.out;
}

// --erase-slots: every slot emptied before each measured run (and once before
// the first request, to find out whether the server allows it).
TEST(SpecCacheHygiene, EraseSlotsGivesEveryRunAColdCache) {
  TempDir dir;
  const CacheRuns c = spec_cache_runs(dir, "erased.json", {"--erase-slots", "--mock-slot-actions"});
  ASSERT_TRUE(c.loaded) << c.run.why();
  for (std::size_t i = 0; i < c.cache_n.size(); ++i) EXPECT_EQ(c.cache_n[i], 0.0) << "run " << i;
  Json j;
  ASSERT_TRUE(j.load(dir.file("erased.json")));
  const auto root = j.root();
  EXPECT_EQ(num(root, "/prompt_cache/slot_erase_rounds"), 6.0);
  EXPECT_EQ(num(root, "/prompt_cache/slots_erased"), 6.0 * 4);  // 4 slots, /props total_slots
  EXPECT_EQ(num(root, "/prompt_cache/slot_erase_failures"), 0.0);
  EXPECT_EQ(num(root, "/prompt_cache/warmup_per_prompt"), 1.0);
  EXPECT_NE(c.run.out.find("Prompt cache: every slot erased before each of 6 measured runs"), std::string::npos)
      << c.run.out;
}

// A server that does not allow slot actions (llama-server without
// --slot-save-path): one line naming the flag and the server's reason, exit
// 2, before anything is measured.
TEST(SpecCacheHygiene, EraseSlotsRefusedByTheServerIsOneLine) {
  TempDir dir;
  const std::string out = dir.file("refused.json");
  const RunResult r = run_llmbench({"--mock", "--runs", "1", "--prompts", "cache_loops", "--max-tokens", "2",
                                    "--erase-slots", "--no-progress", "--output", out});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_NE(r.err.find("llmbench: --erase-slots: POST /slots/0?action=erase answered HTTP 501: This server does not "
                       "support slots action. Start it with `--slot-save-path` (the built-in server allows it with "
                       "--mock-slot-actions)\n"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace llmbench::e2e
