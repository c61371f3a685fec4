// Spec mode's outputs as the guide shows them: the terminal report line for
// line, and result files that the guide's own comparison snippet reads.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// One "Per-Prompt Performance" row: the key from column 1, the average
// right-aligned to end at column 33 under "Avg tok/s", the success share
// right-aligned to end at column 44 under "Success".
void expect_prompt_row(const std::string& line, const std::string& key, double avg_tps, double success_rate) {
  SCOPED_TRACE("row: '" + line + "'");
  ASSERT_EQ(line.size(), 44u);
  EXPECT_EQ(line.substr(0, key.size()), key);
  const std::string value = fixed2(avg_tps);
  ASSERT_LE(value.size(), 13u);
  EXPECT_EQ(line.substr(33 - value.size(), value.size()), value);
  EXPECT_EQ(line.substr(key.size(), 33 - value.size() - key.size()), std::string(33 - value.size() - key.size(), ' '));
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.0f%%", success_rate * 100.0);
  const std::string share = pct;
  EXPECT_EQ(line.substr(44 - share.size()), share);
  EXPECT_EQ(line.substr(33, 44 - share.size() - 33), std::string(44 - share.size() - 33, ' '));
}

TEST(SpecReport, TerminalLayoutMatchesTheGuide) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--runs", "2",
                                    "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  std::vector<std::string> lines = split_lines(r.out);
  const std::vector<std::string>& keys = guide_prompt_keys();
  ASSERT_GE(lines.size(), 12 + keys.size()) << r.out;

  const std::string banner(60, '=');
  const std::string rule(40, '-');
  EXPECT_EQ(lines[0], banner);
  EXPECT_EQ(lines[1], "  LLAMA.CPP PERFORMANCE BENCHMARK");
  EXPECT_EQ(lines[2], banner);
  EXPECT_EQ(lines[3], "Model: " + basename_of(str(root, "/system_info/model")));

  const std::int64_t total = integer(root, "/system_info/hugepages_total");
  const std::int64_t free = integer(root, "/system_info/hugepages_free");
  const std::int64_t mb = integer(root, "/system_info/hugepage_size_kb") / 1024;
  EXPECT_EQ(lines[4], "Huge Pages: " + std::to_string(total - free) + "/" + std::to_string(total) + " (" +
                          std::to_string(mb) + " MB each)");
  EXPECT_TRUE(std::regex_match(lines[4], std::regex(R"(Huge Pages: \d+/\d+ \(\d+ MB each\))"))) << lines[4];
  // Right under it, the server process (the built-in server is this run's
  // own process); the guide's lines then go on as the guide has them.
  ASSERT_GT(lines.size(), 5u);
  EXPECT_TRUE(std::regex_match(
      lines[5], std::regex(R"(Server process: PID \d+ threads \d+, RSS [0-9.]+ [MG]B, huge pages mapped \d+ MB.*)")))
      << lines[5];
  lines.erase(lines.begin() + 5);

  EXPECT_TRUE(std::regex_match(lines[5], std::regex(R"(Timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"))) << lines[5];
  EXPECT_EQ(lines[5], "Timestamp: " + str(root, "/timestamp"));
  EXPECT_EQ(lines[6], "Runs per prompt: 2");
  EXPECT_EQ(lines[7], "");
  EXPECT_EQ(lines[8], "Per-Prompt Performance:");
  EXPECT_EQ(lines[9], rule);
  EXPECT_EQ(lines[10], "Prompt                  Avg tok/s    Success");
  EXPECT_EQ(lines[11], rule);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string p = "/prompts/" + keys[i] + "/stats";
    expect_prompt_row(lines[12 + i], keys[i], num(root, p + "/avg_tokens_per_second"), num(root, p + "/success_rate"));
  }
  // The report is on stdout alone: progress and log lines go to stderr.
  EXPECT_FALSE(contains(r.out, "run 1/")) << r.out;
  EXPECT_FALSE(contains(r.out, "llmbench:")) << r.out;
}

TEST(SpecReport, FailedPromptRowShowsZeroPercent) {
  TempDir dir;
  const std::string out = dir.file("results.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--prompts",
                                    "memory_sequential", "--runs", "1", "--warmup", "0", "--mock-fault", "http_500",
                                    "--output", out});
  ASSERT_EQ(r.code(), 4) << r.why();
  const std::vector<std::string> lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 14u) << r.out;
  ASSERT_TRUE(lines[5].starts_with("Server process: PID ")) << r.out;  // under Huge Pages
  expect_prompt_row(lines[13], "memory_sequential", 0.0, 0.0);
}

// The guide's "Compare Results" snippet, byte for byte (including the space
// after the '/').
constexpr const char* kGuideComparison = R"PY(import json

with open('baseline.json') as f:
    baseline = json.load(f)
with open('optimized.json') as f:
    optimized = json.load(f)

improvement = (
    optimized['summary']['overall_avg_tokens_per_second'] / 
    baseline['summary']['overall_avg_tokens_per_second'] - 1
) * 100

print(f"Performance improvement: {improvement:.1f}%")
)PY";

TEST(SpecReport, GuideComparisonSnippetReadsTwoResultFiles) {
  try {
    if (run_command({"python3", "--version"}, "", milliseconds{30'000}).code() != 0) GTEST_SKIP() << "no python3";
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no python3: " << e.what();
  }
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> runs = {{"baseline.json", "500"}, {"optimized.json", "1000"}};
  for (const auto& [file, tps] : runs) {
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", tps, "--max-tokens", "32", "--prompts",
                                      "cache_loops", "--runs", "2", "--output", dir.file(file)});
    ASSERT_EQ(r.code(), 0) << file << ": " << r.why();
  }
  const RunResult py = run_command({"python3", "-c", kGuideComparison}, dir.path());
  ASSERT_EQ(py.code(), 0) << py.why();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(py.out, m, std::regex(R"(Performance improvement: (-?\d+\.\d)%\n)"))) << py.out;

  Json base, opt;
  ASSERT_TRUE(base.load(dir.file("baseline.json")));
  ASSERT_TRUE(opt.load(dir.file("optimized.json")));
  const double expected = (num(opt.root(), "/summary/overall_avg_tokens_per_second") /
                               num(base.root(), "/summary/overall_avg_tokens_per_second") -
                           1) *
                          100;
  EXPECT_NEAR(std::stod(m[1].str()), expected, 0.051);
  // Twice the decode speed is a large improvement, whatever TTFT costs.
  EXPECT_GT(expected, 50.0);
}

}  // namespace
}  // namespace llmbench::e2e
