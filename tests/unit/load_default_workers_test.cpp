// The default worker count (--threads 0): the fewest workers for the stage's
// load, never more than the cores, one for spec mode.
#include <gtest/gtest.h>

#include "llmbench/load/engine.hpp"

namespace llmbench {
namespace {

StagePlan closed(int concurrency) {
  StagePlan s;
  s.mode = LoadMode::closed;
  s.concurrency = concurrency;
  return s;
}

StagePlan open(double rate, int max_concurrency = 0) {
  StagePlan s;
  s.mode = LoadMode::open;
  s.rate_rps = rate;
  s.max_concurrency = max_concurrency;
  return s;
}

TEST(DefaultWorkers, OneWorkerCarriesUpToAThousandStreams) {
  EXPECT_EQ(default_workers(closed(1), 64), 1u);
  EXPECT_EQ(default_workers(closed(256), 64), 1u) << "256 paced streams need no second core";
  EXPECT_EQ(default_workers(closed(1000), 64), 1u);
  EXPECT_EQ(default_workers(closed(1001), 64), 2u);
  EXPECT_EQ(default_workers(closed(10000), 64), 10u);
}

TEST(DefaultWorkers, OpenLoopScalesWithTheRateOrTheConcurrencyCap) {
  EXPECT_EQ(default_workers(open(100), 64), 1u);
  EXPECT_EQ(default_workers(open(5000), 64), 1u);
  EXPECT_EQ(default_workers(open(10000), 64), 2u);
  EXPECT_EQ(default_workers(open(100, 2500), 64), 3u);
}

TEST(DefaultWorkers, NeverMoreThanTheCoresNorFewerThanOne) {
  EXPECT_EQ(default_workers(closed(10000), 2), 2u);
  EXPECT_EQ(default_workers(open(1e6), 4), 4u);
  EXPECT_EQ(default_workers(closed(5000), 0), 1u) << "an unknown core count (0) still runs one";
  EXPECT_EQ(default_workers(open(0), 8), 1u);
}

}  // namespace
}  // namespace llmbench
