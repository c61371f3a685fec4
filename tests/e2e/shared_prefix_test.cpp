// --prefix-tokens / --prefix-groups against the built-in server, whose slots
// keep their last prompt (llama-server's prompt cache): figures per prefix
// group, and after each slot's first request of a group the shared prefix is
// served from the cache (cached_tokens at least the prefix) with a much
// shorter prefill.
#include <gtest/gtest.h>

#include <map>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

struct Row {
  long input = 0;
  long cached = 0;
  double ttft_ms = 0;
};

std::vector<Row> measured_rows(const std::string& csv) {
  std::vector<Row> out;
  for (const auto& c : csv_measured_rows(csv)) {
    if (c.size() >= 22) out.push_back(Row{std::stol(c[12]), std::stol(c[21]), std::stod(c[9])});
  }
  return out;
}

TEST(SharedPrefix, GroupsAreReportedAndTheirPrefixIsServedFromTheCache) {
  TempDir dir;
  const std::string out = dir.file("r.json"), csv = dir.file("r.csv");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--mock-prompt-tps", "4000",
                                    "--prefix-tokens", "800", "--prefix-groups", "2", "--input-tokens", "40",
                                    "--output-tokens", "4", "--concurrency", "2", "--requests", "40", "--output", out,
                                    "--csv", csv, "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  // The terminal's per-group rows, with the server's view.
  EXPECT_TRUE(contains(r.out, "prefix 0")) << r.out;
  EXPECT_TRUE(contains(r.out, "prefix 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "cache hits")) << r.out;
  const std::vector<Row> rows = measured_rows(csv);
  ASSERT_EQ(rows.size(), 40u);
  int hits = 0;
  double hit_ttft = 0, miss_ttft = 0;
  int misses = 0;
  for (const Row& row : rows) {
    EXPECT_EQ(row.input, 840) << "prefix + own length, as the server counts it";
    if (row.cached >= 800) {
      ++hits;
      hit_ttft += row.ttft_ms;
    } else {
      ++misses;
      miss_ttft += row.ttft_ms;
    }
  }
  // Two slots, two prefixes: at most a few first-of-their-kind misses.
  EXPECT_GE(hits, 30) << "the shared prefix was not served from the cache";
  ASSERT_GT(misses, 0);
  // 800 prompt tokens at 4,000 tok/s is 200 ms of prefill; a hit skips it.
  EXPECT_LT(hit_ttft / hits * 3, miss_ttft / misses);
  Json j;
  ASSERT_TRUE(j.load(out));
  EXPECT_GT(integer(j.root(), "/stages/0/summary/requests_succeeded"), 0);
  // Per group in the JSON too, with the server's cache hits.
  const std::int64_t hits0 = integer(j.root(), "/stages/0/prompts/prefix 0/stats/server_view/cache_hits");
  const std::int64_t hits1 = integer(j.root(), "/stages/0/prompts/prefix 1/stats/server_view/cache_hits");
  EXPECT_EQ(hits0 + hits1, hits);
}

}  // namespace
}  // namespace llmbench::e2e
