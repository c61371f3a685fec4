// Open loop: requests arrive on a seeded schedule whatever the server does,
// and the report says how late each one was sent.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace llmbench::e2e {
namespace {

TEST(LoadOpenLoop, PoissonArrivalsAtTheRequestedRate) {
  TempDir dir;
  const std::string out = dir.file("open.json");
  const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--rate", "20",
                                    "--duration", "4", "--arrival", "poisson", "--seed", "7", "--threads", "2",
                                    "--output", out});
  ASSERT_EQ(r.code(), 0) << r.why();
  Json j;
  ASSERT_TRUE(j.load(out));
  const auto root = j.root();
  ASSERT_EQ(array_size(root, "/stages"), 1u);
  EXPECT_EQ(str(root, "/stages/0/mode"), "open");
  EXPECT_EQ(num(root, "/stages/0/rate"), 20.0);
  EXPECT_EQ(str(root, "/load/arrival"), "poisson");
  EXPECT_EQ(integer(root, "/load/seed"), 7);
  // 80 expected; a Poisson count has a standard deviation of ~9.
  const std::int64_t measured = integer(root, "/stages/0/phases/measured");
  EXPECT_GE(measured, 50);
  EXPECT_LE(measured, 110);
  EXPECT_EQ(integer(root, "/stages/0/summary/requests_succeeded"), measured);
  // The schedule's lag: how much later than intended each request went out.
  for (const char* m : {"/stages/0/summary/schedule_lag_ms", "/stages/0/summary/ttft_from_intended_ms",
                        "/stages/0/summary/e2e_from_intended_ms"}) {
    EXPECT_EQ(integer(root, std::string(m) + "/count"), measured) << m;
    EXPECT_GE(num(root, std::string(m) + "/min"), 0.0) << m;
  }
  // Timed from the intended start, a request can only look slower.
  EXPECT_GE(num(root, "/stages/0/summary/e2e_from_intended_ms/p50"), num(root, "/stages/0/summary/e2e_ms/p50"));
}

TEST(LoadOpenLoop, SameSeedSchedulesTheSameRequests) {
  TempDir dir;
  std::int64_t scheduled[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::string out = dir.file("seed" + std::to_string(i) + ".json");
    const RunResult r = run_llmbench({"--mock", "--mock-decode-tps", "1000", "--max-tokens", "16", "--rate", "30",
                                      "--duration", "1", "--arrival", "poisson", "--seed", "11", "--threads", "1",
                                      "--output", out});
    ASSERT_EQ(r.code(), 0) << r.why();
    Json j;
    ASSERT_TRUE(j.load(out));
    scheduled[i] = integer(j.root(), "/stages/0/phases/measured");
  }
  EXPECT_EQ(scheduled[0], scheduled[1]);
}

}  // namespace
}  // namespace llmbench::e2e
