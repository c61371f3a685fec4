// The time series' per-bucket latency figures that a ramp reads against its
// offered load: TTFT p50/p99 by first-token time, E2E p50/p99 by end time.
#include <gtest/gtest.h>

#include "llmbench/stats/time_series.hpp"

namespace llmbench::stats {
namespace {

TEST(CoarseHistogram, QuantilesByNearestRankWithinASixteenth) {
  CoarseHistogram h;
  EXPECT_DOUBLE_EQ(h.quantile(0.99), -1);
  for (int us = 1000; us <= 100'000; us += 1000) h.record(us);  // 1..100 ms
  EXPECT_NEAR(h.median(), 50'000, 50'000 / 16.0);
  EXPECT_NEAR(h.quantile(0.99), 99'000, 99'000 / 16.0);
  EXPECT_NEAR(h.quantile(1.0), 100'000, 100'000 / 16.0);
  EXPECT_NEAR(h.quantile(0.0), 1000, 1000 / 16.0);  // rank 1: the smallest
}

TEST(TimeSeries, BucketsCarryTtftAndE2ePercentilesAndNoOfferedLoadOfTheirOwn) {
  TimeSeries ts(0, 1'000'000'000, 0);
  for (int i = 1; i <= 100; ++i) {
    ts.add_first_token(100'000'000, i * 1'000'000LL);  // TTFT 1..100 ms in bucket 0
    ts.add_e2e(1'500'000'000, i * 10'000'000LL);       // E2E 10..1000 ms in bucket 1
  }
  const auto b = ts.buckets();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NEAR(b[0].ttft_p50_ms, 50, 50 / 16.0);
  EXPECT_NEAR(b[0].ttft_p99_ms, 99, 99 / 16.0);
  EXPECT_DOUBLE_EQ(b[0].e2e_p50_ms, -1);  // nothing ended in bucket 0
  EXPECT_NEAR(b[1].e2e_p50_ms, 500, 500 / 16.0);
  EXPECT_NEAR(b[1].e2e_p99_ms, 990, 990 / 16.0);
  EXPECT_DOUBLE_EQ(b[1].ttft_p99_ms, -1);
  EXPECT_DOUBLE_EQ(b[0].offered_load, -1);  // the aggregator fills it from the plan
}

}  // namespace
}  // namespace llmbench::stats
