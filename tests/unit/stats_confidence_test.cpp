// The 95 % interval of a mean from a few runs (spec mode's bars).
#include <gtest/gtest.h>

#include <cmath>

#include "llmbench/stats/confidence.hpp"

namespace llmbench::stats {
namespace {

TEST(Confidence, StudentTCriticalValues) {
  EXPECT_DOUBLE_EQ(t_critical_95(1), 12.7062);
  EXPECT_DOUBLE_EQ(t_critical_95(30), 2.0423);
  EXPECT_NEAR(t_critical_95(50), 2.0086, 0.001);   // interpolated in 1/df
  EXPECT_NEAR(t_critical_95(200), 1.9719, 0.001);
  EXPECT_NEAR(t_critical_95(1'000'000'000), 1.96, 1e-6);
  EXPECT_TRUE(std::isnan(t_critical_95(0)));  // one sample has no interval
}

TEST(Confidence, MeanIntervalIsMeanPlusMinusTTimesStandardError) {
  const MeanInterval ci = mean_interval_95({100, 110, 120});
  EXPECT_DOUBLE_EQ(ci.mean, 110);
  EXPECT_NEAR(ci.high - ci.mean, 4.3027 * 10 / std::sqrt(3.0), 1e-9);  // s = 10, n = 3
  EXPECT_NEAR(ci.mean - ci.low, ci.high - ci.mean, 1e-9);
  const MeanInterval one = mean_interval_95({42, std::nan("")});  // a NaN is dropped
  EXPECT_EQ(one.n, 1u);
  EXPECT_EQ(one.low, 42);
  EXPECT_EQ(one.high, 42);
}

}  // namespace
}  // namespace llmbench::stats
