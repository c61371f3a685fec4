// --timestamps end to end: the results say which timestamps a run used and
// how many reads had each; `llmbench selftest` prints its table and verdict.
#include <gtest/gtest.h>

#include <regex>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

RunResult stamped_run(const std::string& out, const std::string& timestamps) {
  return run_llmbench({"--mock", "--mock-stamp", "--mock-decode-tps", "500", "--max-tokens", "8", "--concurrency", "2",
                       "--requests", "6", "--stamp-lag", "--timestamps", timestamps, "-q", "--no-progress", "--output",
                       out});
}

TEST(Timestamps, KernelByDefaultAndSaidSoInTheResults) {
  TempDir dir;
  const std::string out = dir.file("kernel.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "500", "--max-tokens", "8", "--concurrency", "2",
                                    "--requests", "6", "-q", "--no-progress", "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  EXPECT_EQ(str(root, "/measurement/timestamp_source"), "kernel");
  EXPECT_EQ(str(root, "/measurement/timestamps_requested"), "kernel");
  EXPECT_GE(integer(root, "/measurement/kernel_stamped_reads"), 6 * 8);
  EXPECT_EQ(integer(root, "/measurement/user_stamped_reads"), 0);
  EXPECT_EQ(integer(root, "/measurement/connections_without_kernel_stamps"), 0);
  EXPECT_EQ(str(root, "/config/timestamps"), "kernel");
}

// With the built-in server's send stamps, every token's delivery lag is
// positive: a kernel time before the send would be clamped to 0.
TEST(Timestamps, KernelAndUserRunsAgainstStampedEvents) {
  TempDir dir;
  for (const std::string mode : {"kernel", "user"}) {
    SCOPED_TRACE(mode);
    const std::string out = dir.file(mode + ".json");
    const RunResult r = stamped_run(out, mode);
    ASSERT_EQ(r.code(), 0) << r.why();
    Json j;
    ASSERT_TRUE(j.load(out));
    const auto root = j.root();
    EXPECT_EQ(str(root, "/measurement/timestamp_source"), mode);
    EXPECT_EQ(integer(root, mode == "kernel" ? "/measurement/user_stamped_reads" : "/measurement/kernel_stamped_reads"), 0);
    EXPECT_EQ(integer(root, "/summary/delivery_lag_ms/count"), 6 * 8);
    EXPECT_GT(num(root, "/summary/delivery_lag_ms/min"), 0.0);
  }
}

TEST(Timestamps, AnUnknownSourceIsAUsageError) {
  const RunResult r = run_llmbench({"--mock", "--timestamps", "hardware", "--requests", "1", "--concurrency", "1"});
  EXPECT_EQ(r.code(), 2) << r.why();
  EXPECT_NE(r.err.find("--timestamps"), std::string::npos) << r.err;
}

TEST(Selftest, PrintsARowPerStreamCountAndSourceAndAVerdict) {
  const RunResult r = run_llmbench({"selftest", "--streams", "1,4"});
  ASSERT_EQ(r.code(), 0) << r.why();
  for (const char* row : {R"(\| 1 \| 100 \| kernel \| 2 of 2 \|)", R"(\| 1 \| 100 \| user \| 2 of 2 \|)",
                          R"(\| 4 \| 100 \| kernel \| 4 of 4 \|)", R"(\| 4 \| 100 \| user \| 4 of 4 \|)"}) {
    EXPECT_TRUE(std::regex_search(r.out, std::regex(row))) << row << "\n" << r.out;
  }
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\| 4 \| 100 \| kernel \| 4 of 4 \| .* \| 100\.0 % \|)"))) << r.out;
  EXPECT_NE(r.out.find("TTFT error at 4 streams with kernel timestamps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Target: p99 under 3 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("machine: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace llmbench::e2e
