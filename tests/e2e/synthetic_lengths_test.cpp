// Synthetic prompts at exactly the asked length as the server counts them:
// the chat template's own tokens and the BOS included (issue 14, "Exact
// synthetic lengths"). The built-in server counts prompts the way its
// /apply-template and /tokenize do, so every request's usage.prompt_tokens
// (the CSV's input_tokens) is the asked length.
#include <gtest/gtest.h>


#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

// The input_tokens column (13th) of every measured row.
std::vector<long> input_tokens(const std::string& csv) {
  std::vector<long> out;
  for (const auto& c : csv_measured_rows(csv)) {
    if (c.size() > 12) out.push_back(std::stol(c[12]));
  }
  return out;
}

TEST(SyntheticLengths, EveryRequestHasTheAskedLengthAsTheServerCountsItOnEveryEndpoint) {
  for (const char* endpoint : {"chat", "completions", "native"}) {
    SCOPED_TRACE(endpoint);
    TempDir dir;
    const std::string out = dir.file("r.json"), csv = dir.file("r.csv");
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--endpoint", endpoint, "--input-tokens",
                                      "200", "--output-tokens", "4", "--concurrency", "4", "--requests", "32",
                                      "--output", out, "--csv", csv, "--no-progress"});
    ASSERT_EQ(r.code(), 0) << r.why();
    EXPECT_TRUE(contains(r.err, "synthetic prompts: 256 of 256 at their drawn length exactly")) << r.err;
    const std::vector<long> n = input_tokens(csv);
    ASSERT_EQ(n.size(), 32u);
    for (const long v : n) EXPECT_EQ(v, 200) << "the server counted another length";
  }
}

// With a deviation, each prompt has its own drawn length: not all equal, and
// their mean near the asked mean.
TEST(SyntheticLengths, AMeanAndDeviationGiveVariedExactLengths) {
  TempDir dir;
  const std::string out = dir.file("r.json"), csv = dir.file("r.csv");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "2000", "--input-tokens", "300:60",
                                    "--output-tokens", "4", "--concurrency", "4", "--requests", "64", "--output", out,
                                    "--csv", csv, "--no-progress"});
  ASSERT_EQ(r.code(), 0) << r.why();
  EXPECT_TRUE(contains(r.err, "at their drawn length exactly")) << r.err;
  const std::vector<long> n = input_tokens(csv);
  ASSERT_EQ(n.size(), 64u);
  double sum = 0;
  long lo = n[0], hi = n[0];
  for (const long v : n) {
    sum += static_cast<double>(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_LT(lo + 40, hi) << "the lengths do not vary";
  // 64 draws of sd 60: the mean is within 4 standard errors (30) of 300.
  EXPECT_NEAR(sum / 64.0, 300.0, 30.0);
}

}  // namespace
}  // namespace llmbench::e2e
