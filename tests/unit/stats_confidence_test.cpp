// The 95 % interval of a mean from a few runs (spec mode's bars).
#include <gtest/gtest.h>

#include <cmath>

#include "llmbench/stats/confidence.hpp"

namespace llmbench::stats {
namespace {

TEST(Confidence, MeanIntervalIsMeanPlusMinusTTimesStandardError) {
  const MeanInterval ci = mean_interval_95({100, 110, 120});
  EXPECT_DOUBLE_EQ(ci.mean, 110);
  EXPECT_NEAR(ci.high - ci.mean, 4.302652729911275 * 10 / std::sqrt(3.0), 1e-9);  // t(0.975, 2); s = 10, n = 3
  EXPECT_NEAR(ci.mean - ci.low, ci.high - ci.mean, 1e-9);
  const MeanInterval one = mean_interval_95({42, std::nan("")});  // a NaN is dropped
  EXPECT_EQ(one.n, 1u);
  EXPECT_EQ(one.low, 42);
  EXPECT_EQ(one.high, 42);
}

}  // namespace
}  // namespace llmbench::stats
